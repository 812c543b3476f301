/**
 * nn4astro: the helper library shared by the course notebooks.
 * Everything a notebook needs is exported from here: `import { ... } from "nn4astro"`.
 */
import * as tf from "@tensorflow/tfjs";
import * as pl from "nodejs-polars";

/** The TensorFlow.js and polars instances the library uses (one engine for the whole notebook). */
export { tf, pl };

export * from "./backend/select";
export { registerWasmGradients, registerSecondOrderGradients, registerCpuKernelFixes } from "./backend/wasm-kernels";
export { setConvChunkBudget } from "./backend/wasm-fast-kernels";
export * from "./random";
export * from "./notebook/lesson";
export * from "./plot/render";
export * from "./plot/charts";
export * from "./train/progress";
export * from "./table/tensors";
export * from "./catalog/files";
export * from "./table/display";
export * from "./sim/filters";
export * from "./sim/photometry";
export * from "./sim/lightcurves";
export * from "./timeseries/lombscargle";
export * from "./catalog/hubble1929";
export * from "./stellar/hurley";
export * from "./stellar/seismic";
export * from "./stellar/grid";
export * from "./stellar/readers";
export * from "./bayes/model";
export * from "./bayes/nuts";
export * from "./bayes/diagnostics";
export * from "./bayes/plots";
export * from "./bayes/validation";
export * from "./nn/perceptron";
export * from "./nn/decision-boundary";
export * from "./optim/optimisers";
export * from "./optim/surfaces";
export * from "./optim/parameters";
export * from "./sim/image";
export * from "./sim/special";
export * from "./sim/psf";
export * from "./sim/galaxy";
export * from "./sim/detector";
export * from "./sim/sky";
export * from "./sim/transients";
export * from "./sim/augment";
export * from "./metrics/classification";
export * from "./train/history";
export * from "./train/search";
export * from "./train/inspect";
export * from "./timeseries/dft";
export * from "./timeseries/lightcurve-sets";
export * from "./timeseries/period-features";
export * from "./emulator/clock";
export * from "./emulator/features";
export * from "./emulator/mlp";
export * from "./emulator/model";
export * from "./emulator/train";
export * from "./emulator/validation";
export * from "./emulator/io";
export * from "./autoencoder/cutouts";
export * from "./autoencoder/metrics";
export * from "./autoencoder/models";
export * from "./autoencoder/latent";
export * from "./autoencoder/vae";
export * from "./cnn/kernels";
export * from "./detect/peaks";
export * from "./detect/match";
export * from "./detect/matched-filter";
export * from "./cnn/augmented-dataset";
export * from "./detect/operating-point";
export * from "./detect/plots";
export * from "./cnn/realbogus";
