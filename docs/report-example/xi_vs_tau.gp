set terminal pngcairo size 800,500 enhanced font ',11'
set output 'xi_vs_tau.png'
set datafile missing 'NaN'
set encoding utf8
set logscale xy
set xlabel 'ensemble {/Symbol t} [s]'
set ylabel '{/Symbol x}_{/Symbol t} [scan px]'
set key top left
set grid
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
set title 'domain size vs relaxation time'
plot 'data/xi_vs_tau.dat' using ($5 > 0 ? $1 : NaN):3:2:4 with xyerrorbars pt 7 lc rgb '#1f77b4' title 'k_r at or below the I(k) peak', \
     '' using ($5 > 0 ? NaN : $1):3:2:4 with xyerrorbars pt 5 lc rgb '#d62728' title 'k_r above the peak', \
     2.88679*x**0.040216 with lines lc rgb '#1f77b4' title '{/Symbol x} ~ {/Symbol t}^{0.04}', \
     2.86537*x**0.0484073 with lines lc rgb '#d62728' title '{/Symbol x} ~ {/Symbol t}^{0.048}'
