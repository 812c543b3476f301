// Silences tfjs's "install tfjs-node" banner in test output. PROD rather than IS_TEST: IS_TEST
// also switches on a kernel memory-leak check that misfires on every wasm training step.
import * as tf from "@tensorflow/tfjs";
tf.env().set("PROD", true);
