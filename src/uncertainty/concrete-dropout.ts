/**
 * Concrete dropout (Gal, Hron & Kendall 2017, arXiv:1705.07832): a dense layer whose input dropout
 * probability p is a trainable weight, learned by gradient descent together with the kernel.
 *
 * Ordinary dropout multiplies inputs by Bernoulli(1 − p) masks, which have no gradient with respect
 * to p. Concrete dropout replaces the mask by its continuous relaxation (the "concrete" or
 * relaxed-Bernoulli distribution): with u ~ U(0, 1) and a temperature t,
 *
 *   z = sigmoid((log p − log(1 − p) + log u − log(1 − u)) / t),   mask = 1 − z,
 *
 * which is almost 0 or 1 for small t but differentiable in p. The variational (KL) view of
 * dropout adds a regulariser per layer, for a layer with K inputs and kernel W:
 *
 *   weightRegularizer · ‖W‖² / (1 − p)  +  dropoutRegularizer · K · (p log p + (1 − p) log(1 − p)).
 *
 * The second term is minus the entropy of the dropout mask: it pulls p toward ½ with a force ∝ 1/N
 * (the regularisers are l²/N and 2/N for N training points), while the data term prefers small
 * p once there are enough data to pin the weights down. So the learned rate is large when data
 * are few and falls as N grows — the epistemic uncertainty shrinks with more data, as it should.
 *
 * The layer serialises like any tfjs layer (registered with `tf.serialization.registerClass`), so
 * a model containing it saves with `model.save` and reloads with `tf.loadLayersModel`.
 */
import * as tf from "@tensorflow/tfjs";

/** Activations the layer applies after its affine map. */
export type ConcreteActivation = "linear" | "relu" | "elu" | "tanh" | "sigmoid" | "softplus" | "swish";

const ACTIVATIONS: Record<ConcreteActivation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  elu: (x) => tf.elu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softplus: (x) => tf.softplus(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

/** Options of `concreteDropoutDense`. */
export interface ConcreteDropoutDenseArgs {
  /** Output width. */
  units: number;
  /** Activation after the affine map (default "linear"). */
  activation?: ConcreteActivation;
  /** Multiplier of ‖W‖²/(1 − p): l²/N for a prior length-scale l and N training points (default 1e-6). */
  weightRegularizer?: number;
  /** Multiplier of the mask's negative entropy times the input width: 2/N for regression (default 1e-5). */
  dropoutRegularizer?: number;
  /** Dropout probability at the start of training (default 0.1). */
  initialRate?: number;
  /** Temperature of the relaxed Bernoulli mask (default 0.1, as in the paper). */
  temperature?: number;
  /** Input width; needed on the first layer of a Sequential model. */
  inputShape?: number[];
  /** Seed of the Glorot-uniform kernel initialiser (default: unseeded, i.e. from Math.random). */
  seed?: number;
  name?: string;
}

function checkProbability(fn: string, name: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new Error(`${fn}: ${name} must be strictly between 0 and 1, got ${p}`);
}

const EPS = 1e-7;

/** A dense layer with concrete dropout on its inputs and a learned dropout probability. */
export class ConcreteDropoutDense extends tf.layers.Layer {
  static className = "ConcreteDropoutDense";
  readonly units: number;
  readonly activation: ConcreteActivation;
  readonly weightRegularizer: number;
  readonly dropoutRegularizer: number;
  readonly initialRate: number;
  readonly temperature: number;
  readonly seed?: number;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;
  private pLogit?: tf.LayerVariable;
  private inputDim = 0;

  constructor(args: ConcreteDropoutDenseArgs) {
    super({ name: args.name, inputShape: args.inputShape });
    if (!(Number.isInteger(args.units) && args.units > 0)) {
      throw new Error(`ConcreteDropoutDense: units must be a positive integer, got ${args.units}`);
    }
    this.units = args.units;
    this.activation = args.activation ?? "linear";
    if (!(this.activation in ACTIVATIONS)) {
      throw new Error(`ConcreteDropoutDense: activation "${this.activation}" is not one of ${Object.keys(ACTIVATIONS).join(", ")}`);
    }
    this.weightRegularizer = args.weightRegularizer ?? 1e-6;
    this.dropoutRegularizer = args.dropoutRegularizer ?? 1e-5;
    if (!(this.weightRegularizer >= 0 && this.dropoutRegularizer >= 0)) {
      throw new Error(
        `ConcreteDropoutDense: regularisers must be >= 0, got weightRegularizer ${this.weightRegularizer}, ` +
          `dropoutRegularizer ${this.dropoutRegularizer}`,
      );
    }
    this.initialRate = args.initialRate ?? 0.1;
    checkProbability("ConcreteDropoutDense", "initialRate", this.initialRate);
    this.temperature = args.temperature ?? 0.1;
    if (!(this.temperature > 0)) throw new Error(`ConcreteDropoutDense: temperature must be > 0, got ${this.temperature}`);
    this.seed = args.seed;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    this.inputDim = shape[shape.length - 1] as number;
    this.kernel = this.addWeight("kernel", [this.inputDim, this.units], "float32", tf.initializers.glorotUniform({ seed: this.seed }));
    this.bias = this.addWeight("bias", [this.units], "float32", tf.initializers.zeros());
    const logit = Math.log(this.initialRate) - Math.log(1 - this.initialRate);
    this.pLogit = this.addWeight("p_logit", [1], "float32", tf.initializers.constant({ value: logit }));
    // model.fit adds every layer loss to the data loss inside the gradient tape.
    this.addLoss(() => this.regularisation());
    this.built = true;
  }

  /** The current dropout probability. */
  rate(): number {
    if (!this.pLogit) throw new Error("ConcreteDropoutDense.rate: the layer is not built yet (call the model once)");
    return tf.tidy(() => tf.sigmoid(this.pLogit!.read()).dataSync()[0]);
  }

  /** The KL regulariser of this layer (a scalar tensor). */
  regularisation(): tf.Scalar {
    return tf.tidy(() => {
      const p = tf.sigmoid(this.pLogit!.read()).reshape([]);
      const q = tf.sub(1, p);
      const weightTerm = tf.div(tf.mul(this.weightRegularizer, tf.sum(tf.square(this.kernel!.read()))), q);
      const negEntropy = tf.add(tf.mul(p, tf.log(tf.add(p, EPS))), tf.mul(q, tf.log(tf.add(q, EPS))));
      return tf.add(weightTerm, tf.mul(this.dropoutRegularizer * this.inputDim, negEntropy)) as tf.Scalar;
    });
  }

  private concreteDropout(x: tf.Tensor): tf.Tensor {
    const p = tf.sigmoid(this.pLogit!.read()).reshape([]);
    const q = tf.sub(1, p);
    const u = tf.randomUniform(x.shape, 0, 1);
    const logits = tf.add(
      tf.sub(tf.log(tf.add(p, EPS)), tf.log(tf.add(q, EPS))),
      tf.sub(tf.log(tf.add(u, EPS)), tf.log(tf.sub(1 + EPS, u))),
    );
    const keep = tf.sub(1, tf.sigmoid(tf.div(logits, this.temperature)));
    // Divide by 1 − p so the expected input is unchanged and prediction without dropout needs no rescaling.
    return tf.div(tf.mul(x, keep), q);
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const dropped = kwargs?.training ? this.concreteDropout(x) : x;
      const affine = tf.add(tf.matMul(dropped as tf.Tensor2D, this.kernel!.read() as tf.Tensor2D), this.bias!.read());
      return ACTIVATIONS[this.activation](affine);
    });
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      units: this.units,
      activation: this.activation,
      weightRegularizer: this.weightRegularizer,
      dropoutRegularizer: this.dropoutRegularizer,
      initialRate: this.initialRate,
      temperature: this.temperature,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(ConcreteDropoutDense);

/** A `ConcreteDropoutDense` layer (concrete dropout on the inputs, then a dense map). */
export function concreteDropoutDense(args: ConcreteDropoutDenseArgs): ConcreteDropoutDense {
  return new ConcreteDropoutDense(args);
}

/** Regulariser strengths for N training points (Gal et al.'s choice): l²/N and 2/N. */
export function concreteRegularisers(nTrain: number, lengthScale = 1e-2): { weightRegularizer: number; dropoutRegularizer: number } {
  if (!(nTrain > 0)) throw new Error(`concreteRegularisers: nTrain must be > 0, got ${nTrain}`);
  if (!(lengthScale > 0)) throw new Error(`concreteRegularisers: lengthScale must be > 0, got ${lengthScale}`);
  return { weightRegularizer: (lengthScale * lengthScale) / nTrain, dropoutRegularizer: 2 / nTrain };
}

/** The learned dropout probabilities of every concrete-dropout layer of a model, in order. */
export function concreteDropoutRates(model: tf.LayersModel): number[] {
  return model.layers.filter((l): l is ConcreteDropoutDense => l instanceof ConcreteDropoutDense).map((l) => l.rate());
}
