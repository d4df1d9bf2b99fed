function v = pm_draws(s, n)
  % n successive Park-Miller (minimal standard) uniforms in (0,1) from state s; exact in doubles.
  v = zeros(1, n);
  for k = 1:n
    s = mod(16807 * s, 2147483647);
    v(k) = s / 2147483647;
  end
end
