% Writes the tiny MAT-file fixtures of dev.avsal.data.MatFileTest with GNU Octave:
%   cd avsal-core/src/test/resources/fixtures/mat && octave --no-gui --eval "source('../../../../../../tools/make_mat_fixtures.m')"
% The expected values are repeated in MatFileTest; change both together.
d = [1 2 3; 4 5 6];                  % 2x3: checks column-major to row-major
p = [pi, -1/3; 1e-300, 2^53 + 2];    % values that survive only as doubles
s = single([0.5 -1.25; 3 1e-7]);
b = logical([1 0; 0 1; 1 1]);
u = uint8([0 255 7]);
i16 = int16([-300; 300]);
eyeMap = zeros(4, 5); eyeMap(2, 4) = 1; eyeMap(4, 1) = 1;   % STAViS fixMap style: row 2 col 4, row 4 col 1
x = 'text';
z = [1+2i 3];
c = {1, 2};
t = zeros(2, 2, 2);
e = zeros(0, 3);
save('-v6', 'all_v6.mat', 'd', 'p', 's', 'b', 'u', 'i16', 'eyeMap', 'x', 'z', 'c', 't', 'e');
save('-v7', 'all_v7.mat', 'd', 'p', 's', 'b', 'u', 'i16', 'eyeMap', 'x', 'z', 'c', 't', 'e');
