/**
 * Gradient kernels that `@tensorflow/tfjs-backend-wasm` 4.22 lacks, written with tfjs ops that
 * the wasm backend does have, so CNNs can train there (the cpu backend is ~100x slower on
 * convolutions). Each kernel is checked against the cpu backend in tests/wasm-kernels.test.ts.
 */
import * as tf from "@tensorflow/tfjs";

type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

function asTensor(info: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * Patches of the padded input, one per filter tap: returns [batch, outH, outW, kh*kw, inC]
 * so that a single matmul against dy gives the filter gradient (im2col).
 */
function tapPatches(x: tf.Tensor4D, conv: tf.backend_util.Conv2DInfo): tf.Tensor5D {
  const { top, bottom, left, right } = conv.padInfo;
  // Bottom/right padding from padInfo may be larger than needed (or negative in 'valid' with
  // leftover rows); pad generously and let the strided slice pick exactly outH x outW samples.
  const needH = (conv.outHeight - 1) * conv.strideHeight + (conv.filterHeight - 1) * conv.dilationHeight + 1;
  const needW = (conv.outWidth - 1) * conv.strideWidth + (conv.filterWidth - 1) * conv.dilationWidth + 1;
  const padBottom = Math.max(0, needH - top - conv.inHeight, bottom);
  const padRight = Math.max(0, needW - left - conv.inWidth, right);
  const xp = top || padBottom || left || padRight ? tf.pad(x, [[0, 0], [top, padBottom], [left, padRight], [0, 0]]) : x;
  const taps: tf.Tensor4D[] = [];
  for (let i = 0; i < conv.filterHeight; i++) {
    for (let j = 0; j < conv.filterWidth; j++) {
      const h0 = i * conv.dilationHeight;
      const w0 = j * conv.dilationWidth;
      taps.push(
        tf.stridedSlice(
          xp,
          [0, h0, w0, 0],
          [conv.batchSize, h0 + (conv.outHeight - 1) * conv.strideHeight + 1, w0 + (conv.outWidth - 1) * conv.strideWidth + 1, conv.inChannels],
          [1, conv.strideHeight, conv.strideWidth, 1],
        ) as tf.Tensor4D,
      );
    }
  }
  return tf.stack(taps, 3) as tf.Tensor5D;
}

/** dL/dW for conv2d: sum over batch and output pixels of input patch x output gradient. */
function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === "NCHW") throw new Error("nn4astro's wasm Conv2DBackpropFilter supports channels-last (NHWC) data only");
  return tf.tidy(() => {
    const x = asTensor(args.inputs.x!) as tf.Tensor4D;
    const dy = asTensor(args.inputs.dy!) as tf.Tensor4D;
    const conv = tf.backend_util.computeConv2DInfo(
      x.shape, attrs.filterShape, attrs.strides, 1, attrs.pad as never, attrs.dimRoundingMode, false, "channelsLast",
    );
    const [kh, kw, cin, cout] = attrs.filterShape;
    const n = conv.batchSize * conv.outHeight * conv.outWidth;
    const cols = tapPatches(x, conv).reshape([n, kh * kw * cin]);
    // Transposing first keeps the matmul on XNNPACK's fast path (transposeA is a scalar loop in wasm).
    const dw = tf.matMul(tf.transpose(cols), dy.reshape([n, cout]));
    return dw.reshape([kh, kw, cin, cout]);
  });
}

let registered = false;

/** Registers the missing gradient kernels on the wasm backend (idempotent). */
export function registerWasmGradients(): string[] {
  const added: string[] = [];
  if (registered) return added;
  const kernels: Array<[string, tf.KernelFunc]> = [
    ["Conv2DBackpropFilter", conv2DBackpropFilter as unknown as tf.KernelFunc],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (!tf.getKernel(kernelName, "wasm")) {
      tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
      added.push(kernelName);
    }
  }
  registered = true;
  return added;
}
