/**
 * The heteroscedastic Gaussian loss of Kendall & Gal (2017, NeurIPS): a network with two outputs
 * per target, a mean μ and a log-variance s = log σ², is trained by minimising the negative
 * log-likelihood of the targets under N(μ, σ²). Where the data are noisy the network can lower
 * the loss by raising σ (the 1/σ² factor shrinks the squared error), but pays log σ for it, so σ
 * settles at the size of the noise: the network learns the aleatoric uncertainty with no labels
 * for it.
 */
import * as tf from "@tensorflow/tfjs";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Limits on the predicted log-variance. Early in training a network can output log σ² of ±50,
 * where exp() overflows float32; clipping keeps the loss finite (and gives zero gradient beyond,
 * which the data never need: e^±15 spans any sane noise range of standardised targets).
 */
export const LOG_VARIANCE_LIMITS: readonly [number, number] = [-15, 15];

/**
 * Mean Gaussian negative log-likelihood per target value, in nats (including ½ log 2π, so values
 * compare with other densities). `yPred` is [n, 2k]: the k means, then the k log-variances; `yTrue`
 * is [n, k], or [n, 2k] padded as `nllTargets` makes it (tfjs's fit wants the output's shape). Use it as a Keras-style loss: `model.compile({ loss: gaussianNll, ... })`.
 */
export function gaussianNll(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const cols = yPred.shape[yPred.shape.length - 1] as number;
    const k = cols / 2;
    const yCols = yTrue.shape[yTrue.shape.length - 1] as number;
    if (yPred.rank !== 2 || yTrue.rank !== 2 || !Number.isInteger(k) || (yCols !== k && yCols !== 2 * k)) {
      throw new Error(
        `gaussianNll: yPred must be [n, 2k] (k means, then k log-variances) and yTrue [n, k] or [n, 2k] ` +
          `(only the first k columns are used); got yTrue [${yTrue.shape}] and yPred [${yPred.shape}]`,
      );
    }
    const n = yPred.shape[0] as number;
    const target = yCols === k ? yTrue : yTrue.slice([0, 0], [n, k]);
    const mean = yPred.slice([0, 0], [n, k]);
    const logVar = yPred.slice([0, k], [n, k]).clipByValue(LOG_VARIANCE_LIMITS[0], LOG_VARIANCE_LIMITS[1]);
    const sq = tf.square(tf.sub(target, mean));
    const nll = tf.mul(0.5, tf.add(logVar, tf.mul(sq, tf.exp(tf.neg(logVar)))));
    return tf.add(tf.mean(nll), HALF_LOG_2PI) as tf.Scalar;
  });
}

/**
 * Targets for `model.fit` with `gaussianNll`: tfjs requires the target tensor to have the model
 * output's shape [n, 2k], so the k target columns are padded with k columns of zeros (ignored).
 */
export function nllTargets(y: ArrayLike<number> | number[][]): tf.Tensor2D {
  const rows = Array.from(y as ArrayLike<number | number[]>, (v) => (Array.isArray(v) ? [...v, ...v.map(() => 0)] : [v as number, 0]));
  if (rows.length === 0) throw new Error("nllTargets: no targets");
  return tf.tensor2d(rows);
}

/** The same loss in plain JavaScript for arrays of means and variances (for evaluation). */
export function gaussianNllValue(yTrue: ArrayLike<number>, mean: ArrayLike<number>, variance: ArrayLike<number>): number {
  const n = yTrue.length;
  if (mean.length !== n || variance.length !== n) {
    throw new Error(`gaussianNllValue: yTrue, mean and variance must have equal lengths, got ${n}, ${mean.length}, ${variance.length}`);
  }
  if (n === 0) throw new Error("gaussianNllValue: empty input");
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = variance[i];
    if (!(v > 0)) throw new Error(`gaussianNllValue: variance must be > 0, got ${v} at index ${i}`);
    const d = yTrue[i] - mean[i];
    s += 0.5 * (Math.log(v) + (d * d) / v);
  }
  return s / n + HALF_LOG_2PI;
}
