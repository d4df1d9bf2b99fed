function r = rand(varargin)
  % Replays a Park-Miller stream (column-major fill) while a reference case is active, else Octave's rand.
  global REFSTREAM
  if isempty(REFSTREAM) || ~REFSTREAM.active
    r = builtin('rand', varargin{:});
    return
  end
  sz = [varargin{:}];
  if isscalar(sz), sz = [sz sz]; end
  r = reshape(pm_draws(REFSTREAM.jseed, prod(sz)), sz);
end
