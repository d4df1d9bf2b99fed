1; % script file: reference values for dev.avsal.metrics, made by running the reference MATLAB code in GNU Octave.
%
% Usage (from the repository root, after apt-get install octave octave-image):
%   octave --no-gui -q tools/metrics_octave_reference.m MIT_DIR STAVIS_DIR IMRESIZE_ANSWERS_DIR OUT_FILE
% MIT_DIR: cvzoya/saliency code_forMetrics (AUC_Judd.m, AUC_Borji.m, AUC_shuffled.m, CC.m, NSS.m, similarity.m,
% KLdiv.m); STAVIS_DIR: atsiami/STAViS eval_code (postprocessMap.m, normalizeImage1.m, createShuffmap1.m);
% IMRESIZE_ANSWERS_DIR: the *_aa.mat files that sanghyun-son/bicubic_pytorch's test_answer/gen_test.m saved with
% MATLAB's imresize. None of that third-party code is committed; tools/metrics_reference_setup.sh exports it.
%
% Inputs are generated from Park-Miller streams (pm_draws.m) with IEEE-exact arithmetic that the Java test
% (MitReferenceTest) reproduces bit for bit; "probe" lines let it check that. Random draws inside the MIT code
% (rand for the AUC-Judd jitter, randi for AUC-Borji, randperm for sAUC) are replayed from Park-Miller streams
% by the stubs in tools/metrics_octave/stubs during the deterministic phase, so those metrics compare exactly;
% the statistical phase then runs them on Octave's own generator over many seeds (mean and spread).
% Octave's imresize equals MATLAB's when enlarging (the weights then sum to 1 up to rounding) but not when
% shrinking, so shrinking cases are resized by matlab_imresize_dense.m before the MIT functions are called,
% after that formulation has been checked against MATLAB's saved outputs.

args = argv();
if numel(args) < 4
  error('usage: metrics_octave_reference.m MIT_DIR STAVIS_DIR IMRESIZE_ANSWERS_DIR OUT_FILE');
end
[mitdir, stavisdir, ansdir, outfile] = deal(args{1:4});
warning('off', 'all');
pkg load image
here = fileparts(mfilename('fullpath'));
addpath(fullfile(here, 'metrics_octave'));
addpath(mitdir);
addpath(stavisdir);
stubdir = fullfile(here, 'metrics_octave', 'stubs');
global REFSTREAM
REFSTREAM = struct('active', false);

function M = gen_map(rec)
  % rec: {'smooth', R, C, seed, cyf, cxf, s2f, noise, ops...} or {'const', R, C, value}
  switch rec{1}
    case 'smooth'
      [R, C, seed, cyf, cxf, s2f, noise] = deal(rec{2:8});
      U = reshape(pm_draws(seed, R * C), C, R)';
      [C0, R0] = meshgrid(0:C-1, 0:R-1);
      cy = cyf * R; cx = cxf * C; s2 = s2f * R * C;
      DR = R0 - cy; DC = C0 - cx;
      Q = (DR .* DR + DC .* DC) / s2;
      M = noise * U + 1 ./ (1 + Q);
      k = 9;
    case 'const'
      M = rec{4} * ones(rec{2}, rec{3});
      k = 5;
  end
  while k <= numel(rec)
    switch rec{k}
      case 'add',    M = M + rec{k+1}; k = k + 2;
      case 'mul',    M = M * rec{k+1}; k = k + 2;
      case 'quant',  M = floor(M * 64) / 64; k = k + 1;
      case 'sparse', M(M < rec{k+1}) = 0; k = k + 2;
      case 'delta',  M = zeros(size(M)); M(rec{k+1} + 1, rec{k+2} + 1) = 1; k = k + 3;
      otherwise, error('unknown op %s', rec{k});
    end
  end
end

function F = gen_fix(R, C, seed, K, cyf, cxf, spread)
  % binary map of K fixations spread around (cyf*R, cxf*C); row then column drawn from one stream
  F = zeros(R, C);
  u = pm_draws(seed, 2 * K);
  for k = 1:K
    r = min(max(floor((cyf + spread * (u(2*k-1) - 0.5)) * R), 0), R - 1);
    c = min(max(floor((cxf + spread * (u(2*k) - 0.5)) * C), 0), C - 1);
    F(r + 1, c + 1) = 1;
  end
end

function s = rec_str(rec)
  parts = cell(1, numel(rec));
  for i = 1:numel(rec)
    if ischar(rec{i}), parts{i} = rec{i}; else, parts{i} = sprintf('%.17g', rec{i}); end
  end
  s = strjoin(parts, ' ');
end

function put(fid, name, v)
  if ~isreal(v)
    fprintf(fid, 'value %s complex %.17g %.17g\n', name, real(v), imag(v));
  else
    fprintf(fid, 'value %s %.17g\n', name, v);
  end
end

function probes(fid, what, M)
  [R, C] = size(M);
  pts = unique([1 1; R C; ceil(R/2) ceil(C/3)], 'rows');
  for i = 1:rows(pts)
    fprintf(fid, 'probe %s %d %d %.17g\n', what, pts(i,1) - 1, pts(i,2) - 1, M(pts(i,1), pts(i,2)));
  end
end

function S = to_size(P, sz, how)
  % bring the prediction to the ground-truth size the way MATLAB's imresize would
  if isequal(size(P), sz)
    S = P;
  elseif strcmp(how, 'octave')
    S = imresize(P, sz); % enlarging only: Octave's bicubic equals MATLAB's there
  else
    S = matlab_imresize_dense(P, sz);
  end
end

fid = fopen(outfile, 'w');
fprintf(fid, '# dev.avsal.metrics reference values, written by tools/metrics_octave_reference.m\n');
fprintf(fid, '# GNU Octave %s, image package %s; cvzoya/saliency code_forMetrics and atsiami/STAViS eval_code run unmodified\n', ...
        OCTAVE_VERSION, pkg('describe', 'image'){1}.version);

%% ---------------------------------------------------------------- MATLAB imresize answers
% Inputs of gen_test.m: ramps 0..n-1 filled row by row.
answers = {'down_down_small_aa', 4, 4, [3 3]; 'down_down_aa', 8, 8, [3 4]; 'down_down_irregular_aa', 8, 8, [5 7];
           'down_down_x2_aa', 8, 8, [4 4]; 'down_down_x3_aa', 15, 15, [5 5]; 'down_down_x4_aa', 8, 8, [2 2];
           'down_down_x5_aa', 15, 15, [3 3]; 'up_up_irregular_aa', 8, 8, [11 13]};
worst = 0;
for i = 1:rows(answers)
  [name, R, C, osz] = deal(answers{i, :});
  f = fullfile(ansdir, [name '.mat']);
  if ~exist(f, 'file'), fprintf('missing %s\n', f); continue; end
  ref = load(f).(name);
  A = reshape(0:R*C-1, C, R)';
  assert(isequal(size(ref), osz));
  err = max(abs(matlab_imresize_dense(A, osz)(:) - ref(:)));
  worst = max(worst, err);
  fprintf(fid, 'imresize %s %d %d %d %d', name, R, C, osz(1), osz(2));
  fprintf(fid, ' %.17g', ref');
  fprintf(fid, '\n');
end
fprintf(fid, '# matlab_imresize_dense.m vs the MATLAB answers: max abs difference %.3g\n', worst);
printf('dense imresize vs MATLAB answers: max abs diff %.3g\n', worst);
A = reshape(0:63, 8, 8)';
fprintf(fid, '# Octave imresize vs dense formulation when enlarging 8x8 -> 11x13: max abs difference %.3g\n', ...
        max(abs(imresize(A, [11 13])(:) - matlab_imresize_dense(A, [11 13])(:))));

%% ---------------------------------------------------------------- deterministic cases
sm = @(R, C, seed) {'smooth', R, C, seed, 0.37, 0.61, 0.05, 0.25};
gt = @(R, C, seed) {'smooth', R, C, seed, 0.55, 0.42, 0.08, 0.1};
% name, protocol, pred recipe, gt R C seed, fix seed K, other seed K (MIT) or frames (STAViS), resize
cases = {
  'm_rand24',  'mit', sm(24, 32, 1234567),                 [24 32 7654321], [1111111 15], [2222222 60], 'none'
  'm_rand60',  'mit', sm(60, 80, 3333333),                 [60 80 4444444], [5555555 40], [6666666 200], 'none'
  'm_up',      'mit', sm(15, 20, 7777777),                 [60 80 4444444], [5555555 40], [6666666 200], 'octave'
  'm_down',    'mit', sm(60, 80, 3333333),                 [24 32 7654321], [1111111 15], [2222222 60], 'dense'
  'm_mixed',   'mit', sm(40, 30, 8888888),                 [24 60 9999999], [1212121 25], [2323232 80], 'dense'
  'm_odd',     'mit', sm(37, 53, 3434343),                 [24 32 7654321], [1111111 15], [2222222 60], 'dense'
  'm_const',   'mit', {'const', 24, 32, 0.7},              [24 32 7654321], [1111111 15], [2222222 60], 'none'
  'm_const5',  'mit', {'const', 24, 32, 0.5},              [24 32 7654321], [1111111 15], [2222222 60], 'none'
  'm_zero',    'mit', {'const', 24, 32, 0},                [24 32 7654321], [1111111 15], [2222222 60], 'none'
  'm_neg',     'mit', [sm(24, 32, 1234567) {'add', -0.9}], [24 32 7654321], [1111111 15], [2222222 60], 'none'
  'm_delta',   'mit', [sm(24, 32, 1234567) {'delta', 5, 7}], [24 32 7654321], [1111111 15], [2222222 60], 'none'
  'm_pix1',    'mit', {'const', 1, 1, 0.3},                [24 32 7654321], [1111111 15], [2222222 60], 'octave'
  'm_1x1',     'mit', {'const', 1, 1, 0.3},                [1 1 4545454],   [5656565 1], [6767676 0], 'none'
  'm_onefix',  'mit', sm(24, 32, 1234567),                 [24 32 7654321], [1111111 1], [2222222 60], 'none'
  'm_nofix',   'mit', sm(24, 32, 1234567),                 [24 32 7654321], [1111111 0], [2222222 60], 'none'
  'm_dup',     'mit', sm(6, 5, 7878787),                   [6 5 8989898],   [9090909 40], [1313131 30], 'none'
  'm_quant',   'mit', [sm(60, 80, 3333333) {'quant'}],     [60 80 4444444], [5555555 40], [6666666 200], 'none'
  'm_sparse',  'mit', [sm(60, 80, 3333333) {'sparse', 0.8}], [60 80 4444444], [5555555 40], [6666666 200], 'none'
  's_up',      'stavis', [sm(30, 40, 2468024) {'mul', 0.8}], [60 80 4444444], [5555555 30], [1357913 30], 'octave'
  's_same',    'stavis', [sm(60, 80, 3333333) {'mul', 0.8}], [60 80 4444444], [5555555 30], [1357913 30], 'none'
  's_down',    'stavis', [sm(90, 120, 1010101) {'mul', 0.8}], [60 80 4444444], [5555555 30], [1357913 30], 'dense'
  's_clip',    'stavis', [sm(60, 80, 3333333) {'mul', 1.5, 'add', -0.2}], [60 80 4444444], [5555555 30], [1357913 30], 'none'
  's_const',   'stavis', {'const', 60, 80, 0.4},           [60 80 4444444], [5555555 30], [1357913 30], 'none'
  's_zero',    'stavis', {'const', 60, 80, 0},             [60 80 4444444], [5555555 30], [1357913 30], 'none'
  's_tiny',    'stavis', [sm(4, 5, 1212123) {'mul', 0.8}], [24 32 7654321], [1111111 15], [2222222 20], 'octave'
};
NFRAMES = 5; CURRENT = 3;
FIXC = {0.37, 0.61, 0.5}; % fixations cluster on the prediction's blob
OTHC = {0.5, 0.5, 0.8};   % other images' fixations: centre-biased % STAViS: the current frame is the 3rd of 5; the others use seeds other+1..other+4

for ci = 1:rows(cases)
  [name, proto, prec, g, fx, ot, how] = deal(cases{ci, :});
  P = gen_map(prec);
  R = g(1); C = g(2);
  G = gen_map(gt(R, C, g(3)));
  F = gen_fix(R, C, fx(1), fx(2), FIXC{:});
  fprintf(fid, 'case %s\nprotocol %s\npred %s\ngt %s\n', name, proto, rec_str(prec), rec_str(gt(R, C, g(3))));
  fprintf(fid, 'fix %d %d %d %d %.17g %.17g %.17g\n', R, C, fx(1), fx(2), FIXC{:});
  if strcmp(proto, 'mit')
    O = gen_fix(R, C, ot(1), ot(2), OTHC{:});
    fprintf(fid, 'other %d %d %d %d %.17g %.17g %.17g\n', R, C, ot(1), ot(2), OTHC{:});
    S = to_size(P, [R C], how);
  else
    frames = cell(1, NFRAMES);
    for k = 1:NFRAMES
      if k == CURRENT, frames{k}.eyeMap = F; else, frames{k}.eyeMap = gen_fix(R, C, ot(1) + k, ot(2), OTHC{:}); end
    end
    % frame k (1-based) other than the current one uses seed other+k
    fprintf(fid, 'frames %d %d %d %d %d %d %.17g %.17g %.17g\n', NFRAMES, CURRENT - 1, R, C, ot(1), ot(2), OTHC{:});
    shuf = double(createShuffmap1(frames));
    O = shuf; O(F == 1) = 0; % as eval_*.m: shufMap1(eyeMap==1) = 0
    S = to_size(postprocessMap(P, 2), [R C], how);
  end
  probes(fid, 'pred', P);
  probes(fid, 'gt', G);
  fprintf(fid, 'resize %s\n', how);
  % how constant the scored map is: range, largest magnitude, and mean(S) - S(1) (rounding of MATLAB's mean)
  fprintf(fid, 'srange %.17g %.17g %.17g\n', max(S(:)) - min(S(:)), max(abs(S(:))), mean(S(:)) - S(1));
  js = 1000 + 17 * ci; bs = 2000 + 31 * ci; ps = 3000 + 43 * ci;
  fprintf(fid, 'streams %d %d %d\n', js, bs, ps);
  put(fid, 'CC', CC(S, G));
  put(fid, 'NSS', NSS(S, F));
  put(fid, 'SIM', similarity(S, G));
  put(fid, 'KLD', KLdiv(S, G));
  put(fid, 'JUDD0', AUC_Judd(S, F, 0));
  addpath(stubdir);
  REFSTREAM = struct('active', true, 'jseed', js, 'bseed', bs, 'pstate', ps);
  put(fid, 'JUDD1', AUC_Judd(S, F, 1));
  put(fid, 'BORJI', AUC_Borji(S, F));
  put(fid, 'SAUC', AUC_shuffled(S, F, O));
  REFSTREAM.active = false;
  rmpath(stubdir);
  fprintf(fid, 'end\n');
  printf('%s done\n', name);
end

%% ---------------------------------------------------------------- statistics over Octave's own generator
NRUNS = 200;
stat_cases = {'m_rand60', 'm_const', 'm_quant', 'm_sparse', 'm_dup'};
for si = 1:numel(stat_cases)
  ci = find(strcmp(cases(:, 1), stat_cases{si}));
  [name, proto, prec, g, fx, ot, how] = deal(cases{ci, :});
  P = gen_map(prec); R = g(1); C = g(2);
  F = gen_fix(R, C, fx(1), fx(2), FIXC{:}); O = gen_fix(R, C, ot(1), ot(2), OTHC{:});
  v = zeros(NRUNS, 3);
  for k = 1:NRUNS
    rand('twister', 100000 + k);
    v(k, 1) = AUC_Judd(P, F, 1);
    v(k, 2) = AUC_Borji(P, F);
    v(k, 3) = AUC_shuffled(P, F, O);
  end
  names = {'JUDD1', 'BORJI', 'SAUC'};
  for m = 1:3
    fprintf(fid, 'stat %s %s %d %.17g %.17g\n', name, names{m}, NRUNS, mean(v(:, m)), std(v(:, m)));
  end
  printf('%s stats done\n', name);
end
fclose(fid);
