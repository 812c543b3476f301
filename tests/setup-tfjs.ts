// Silences tfjs's "install tfjs-node" banner in test output (tfjs honours IS_TEST for its warnings).
import * as tf from "@tensorflow/tfjs";
tf.env().set("IS_TEST", true);
