function p = randperm(n)
  % Fisher-Yates driven by a Park-Miller stream that continues across calls (one call per sAUC split).
  global REFSTREAM
  if isempty(REFSTREAM) || ~REFSTREAM.active
    error('randperm stub used outside a reference case');
  end
  p = 1:n;
  s = REFSTREAM.pstate;
  for i = n:-1:2
    s = mod(16807 * s, 2147483647);
    j = 1 + floor(s / 2147483647 * i);
    t = p(i); p(i) = p(j); p(j) = t;
  end
  REFSTREAM.pstate = s;
end
