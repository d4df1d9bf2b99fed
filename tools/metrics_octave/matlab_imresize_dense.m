function B = matlab_imresize_dense(A, outSize)
  % MATLAB imresize(A, outSize) (bicubic, antialiasing on shrink, normalised weights, symmetric borders)
  % written as two dense resampling matrices, B = Wr * A * Wc'. An independent formulation of MATLAB's
  % documented algorithm, used because Octave's imresize does not normalise the weights when shrinking;
  % metrics_octave_reference.m checks it against imresize outputs saved by MATLAB itself.
  Wr = weights(size(A, 1), outSize(1));
  Wc = weights(size(A, 2), outSize(2));
  B = Wr * A * Wc';
end

function W = weights(inLen, outLen)
  W = zeros(outLen, inLen);
  scale = outLen / inLen;
  if scale == 1
    W = eye(inLen);
    return
  end
  kw = 4;
  if scale < 1, kw = 4 / scale; end
  taps = ceil(kw) + 2;
  for o = 1:outLen
    u = o / scale + 0.5 * (1 - 1 / scale);
    idx = floor(u - kw / 2) + (0:taps-1);
    if scale < 1
      w = scale * keys(scale * (u - idx));
    else
      w = keys(u - idx);
    end
    w = w / sum(w);
    m = mod(idx - 1, 2 * inLen);
    src = m + 1;
    src(m >= inLen) = 2 * inLen - m(m >= inLen);
    for k = 1:taps
      W(o, src(k)) = W(o, src(k)) + w(k);
    end
  end
end

function f = keys(x)
  a = abs(x);
  f = (1.5 * a.^3 - 2.5 * a.^2 + 1) .* (a <= 1) + (-0.5 * a.^3 + 2.5 * a.^2 - 4 * a + 2) .* ((a > 1) & (a <= 2));
end
