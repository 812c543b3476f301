/**
 * Looking inside a latent space: principal component analysis written with tf ops, and a linear
 * probe that asks how much of a physical quantity a set of latents holds.
 *
 * PCA. The principal axes of centred data X (n × d) are the eigenvectors of its covariance
 * C = XᵀX / (n − 1), ordered by eigenvalue (the variance along each axis). tfjs has no eigensolver,
 * so we use subspace (orthogonal) iteration: V ← orth(C V) converges to the top-k eigenvectors at a
 * rate set by λ_{k+1}/λ_k (Golub & Van Loan, "Matrix Computations", §8.2.4); QR does the
 * orthogonalisation. A linear autoencoder trained with squared error learns the same subspace
 * (Baldi & Hornik 1989, Neural Networks 2, 53): PCA is the baseline every autoencoder is measured
 * against.
 *
 * Linear probe. Regress a quantity y on the latents z by least squares (with an intercept) and
 * report R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²: the fraction of y's variance that is a *linear* function of
 * the code. A low R² means "not linearly present", not "absent": the code may hold y non-linearly.
 */
import * as tf from "@tensorflow/tfjs";

/** A fitted PCA. */
export interface Pca {
  /** Column means of the data, [d]. */
  mean: tf.Tensor1D;
  /** Principal axes as columns, [d, k], unit length, by decreasing variance. */
  components: tf.Tensor2D;
  /** Variance along each axis (eigenvalues of the covariance), length k. */
  explainedVariance: number[];
  /** Fraction of the total variance along each axis. */
  explainedVarianceRatio: number[];
  /** Coordinates of rows of `x` ([m, d]) on the axes: (x − mean) · components, [m, k]. */
  project(x: tf.Tensor2D): tf.Tensor2D;
  /** Back to data space from coordinates [m, k]: mean + y · componentsᵀ. */
  reconstruct(y: tf.Tensor2D): tf.Tensor2D;
}

/**
 * PCA of the rows of `x` ([n, d]) keeping `k` axes, by `iterations` steps of subspace iteration on
 * the covariance (default 100). Each axis' sign is fixed so its largest |entry| is positive,
 * making the result repeatable.
 */
export function pca(x: tf.Tensor2D, k: number, iterations = 100): Pca {
  const [n, d] = x.shape;
  if (!(k >= 1 && k <= d)) throw new Error(`pca: k must be in 1..${d}, got ${k}`);
  if (n < 2) throw new Error(`pca: needs at least 2 rows, got ${n}`);
  const mean = tf.tidy(() => x.mean(0) as tf.Tensor1D);
  const { components, variances, total } = tf.tidy(() => {
    const xc = x.sub(mean);
    const cov = tf.matMul(xc, xc, true, false).div(n - 1) as tf.Tensor2D;
    // A deterministic start: the identity's first k columns plus a small tilt so no axis starts orthogonal to an eigenvector.
    let v = tf.eye(d, k).add(tf.fill([d, k], 1e-3)) as tf.Tensor2D;
    for (let it = 0; it < iterations; it++) {
      const next = tf.linalg.qr(tf.matMul(cov, v))[0] as tf.Tensor2D;
      v.dispose();
      v = tf.keep(next);
    }
    const cv = tf.matMul(cov, v);
    const lam = v.mul(cv).sum(0); // Rayleigh quotients vᵢᵀ C vᵢ
    // Sort by variance and fix signs.
    const lamArr = Array.from(lam.dataSync());
    const order = lamArr.map((_, i) => i).sort((a, b) => lamArr[b] - lamArr[a]);
    const sorted = tf.gather(v, order, 1) as tf.Tensor2D;
    const vArr = sorted.arraySync();
    const signs = order.map((_, j) => {
      let best = 0;
      for (let i = 0; i < d; i++) if (Math.abs(vArr[i][j]) > Math.abs(vArr[best][j])) best = i;
      return vArr[best][j] < 0 ? -1 : 1;
    });
    return {
      components: sorted.mul(tf.tensor1d(signs)) as tf.Tensor2D,
      variances: order.map((i) => lamArr[i]),
      total: tf.sum(tf.mul(cov, tf.eye(d))).dataSync()[0], // trace = total variance
    };
  });
  return {
    mean,
    components,
    explainedVariance: variances,
    explainedVarianceRatio: variances.map((v) => v / total),
    project: (xx: tf.Tensor2D) => tf.tidy(() => tf.matMul(xx.sub(mean), components) as tf.Tensor2D),
    reconstruct: (y: tf.Tensor2D) => tf.tidy(() => tf.matMul(y, components, false, true).add(mean) as tf.Tensor2D),
  };
}

/** Result of `linearProbe`. */
export interface LinearProbe {
  /** Fraction of the variance of y explained by a linear function of the features (on the fitted data). */
  r2: number;
  /** Intercept followed by one slope per feature. */
  coefficients: number[];
  /** Fitted values. */
  predicted: Float64Array;
}

/**
 * Least-squares fit of y on the columns of `features` ([n, d], tensor or rows) with an intercept;
 * R² of the fit. Solved by the normal equations with partial pivoting (d is small: a latent code).
 */
export function linearProbe(features: tf.Tensor2D | number[][], y: ArrayLike<number>): LinearProbe {
  const rows = Array.isArray(features) ? features : features.arraySync();
  const n = rows.length;
  if (n !== y.length) throw new Error(`linearProbe: ${n} feature rows but ${y.length} targets`);
  const d = rows[0].length + 1;
  if (n <= d) throw new Error(`linearProbe: needs more rows (${n}) than coefficients (${d})`);
  // Standardise the columns so the normal equations are well conditioned.
  const mu = new Float64Array(d - 1);
  const sd = new Float64Array(d - 1);
  for (let j = 0; j < d - 1; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { s += rows[i][j]; s2 += rows[i][j] ** 2; }
    mu[j] = s / n;
    sd[j] = Math.sqrt(Math.max(s2 / n - mu[j] ** 2, 0)) || 1;
  }
  const a = Array.from({ length: d }, () => new Float64Array(d + 1)); // augmented [XᵀX | Xᵀy]
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    row[0] = 1;
    for (let j = 1; j < d; j++) row[j] = (rows[i][j - 1] - mu[j - 1]) / sd[j - 1];
    for (let p = 0; p < d; p++) {
      for (let q = 0; q < d; q++) a[p][q] += row[p] * row[q];
      a[p][d] += row[p] * y[i];
    }
  }
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    if (Math.abs(a[c][c]) < 1e-12 * n) continue; // a constant or duplicated column: leave its coefficient 0
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let q = c; q <= d; q++) a[r][q] -= f * a[c][q];
    }
  }
  const beta = a.map((r, i) => (Math.abs(r[i]) < 1e-12 * n ? 0 : r[d] / r[i]));
  const predicted = new Float64Array(n);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i];
  ybar /= n;
  let ssRes = 0, ssTot = 0;
  for (let i = 0; i < n; i++) {
    let p = beta[0];
    for (let j = 1; j < d; j++) p += beta[j] * ((rows[i][j - 1] - mu[j - 1]) / sd[j - 1]);
    predicted[i] = p;
    ssRes += (y[i] - p) ** 2;
    ssTot += (y[i] - ybar) ** 2;
  }
  // Back to the original feature units.
  const slopes = beta.slice(1).map((b, j) => b / sd[j]);
  const intercept = beta[0] - slopes.reduce((s, b, j) => s + b * mu[j], 0);
  return { r2: 1 - ssRes / ssTot, coefficients: [intercept, ...slopes], predicted };
}
