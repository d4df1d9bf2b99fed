function r = randi(lim, varargin)
  % Replays a Park-Miller stream as AUC_Borji's randi([1 N], [Nfix, Nsplits]) draws (column-major).
  global REFSTREAM
  if isempty(REFSTREAM) || ~REFSTREAM.active
    error('randi stub used outside a reference case');
  end
  sz = [varargin{:}];
  n = lim(end);
  r = reshape(1 + floor(pm_draws(REFSTREAM.bseed, prod(sz)) * n), sz);
end
