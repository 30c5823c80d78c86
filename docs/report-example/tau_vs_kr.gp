set terminal pngcairo size 800,500 enhanced font ',11'
set output 'tau_vs_kr.png'
set datafile missing 'NaN'
set encoding utf8
set xlabel 'k_r [Å^{-1}]'
set ylabel 'ensemble {/Symbol t} [s]'
set y2label 'I(k) [counts / px / frame]'
set ytics nomirror
set y2tics
set key top left
set grid
set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1
set title 'ensemble relaxation time and diffraction intensity vs k_r'
plot 'data/tau_vs_kr.dat' using 1:2:3 with yerrorlines pt 7 lw 2 lc rgb '#1f77b4' title 'ensemble {/Symbol t} (error: std over k_{/Symbol f})', \
     '' using 1:4 axes x1y2 with linespoints pt 6 lw 1.5 dt 2 lc rgb '#7f7f7f' title 'I(k)'
