set terminal pngcairo size 800,480 enhanced font ',11'
set output 'tau_vs_kphi.png'
set datafile missing 'NaN'
set encoding utf8
set xlabel 'k_{/Symbol f} [rad]'
set ylabel '{/Symbol t} [s]'
set logscale y
set xrange [0:2*pi]
set key top right
set grid
set title 'scan position (y, x) = (12, 12), k_r = 0.487 Å^{-1}'
plot 'data/tau_vs_kphi.dat' using 1:2:3 with yerrorbars pt 7 ps 0.8 lc rgb '#1f77b4' title '{/Symbol t} at this position (1{/Symbol s})', \
     '' using 1:4 with lines lw 2 lc rgb '#d62728' title 'median of each k_{/Symbol f} map'
