set terminal pngcairo size 1100,520 enhanced font ',11'
set output 'ttcf.png'
set datafile missing 'NaN'
set encoding utf8
set multiplot layout 1,2
set size ratio -1
set xlabel 't_1 [s]'
set ylabel 't_2 [s]'
set palette rgb 34,35,36
set cbrange [0:0.136046]
set cblabel 'G - 1'
set xrange [0:124.938]
set yrange [0:124.938]
set title 'two-time correlation, mean over positions'
plot 'data/ttcf.dat' matrix using ($1*0.0625):($2*0.0625):3 with image notitle, \
     'data/ttcf_band.dat' using ($1-$2/2):($1+$2/2) with lines lw 2 lc rgb 'white' notitle, \
     '' using ($1+$2/2):($1-$2/2) with lines lw 2 lc rgb 'white' notitle
set size noratio
unset cblabel
set xlabel 'elapsed time [s]'
set ylabel 'band width [s]'
set grid
set autoscale y
set yrange [0:*]
set title 'band width (G - 1 at 1/e^2 of its diagonal)'
set label 1 'no aging detected: band width changes by -0 % over the run' at graph 0.03, graph 0.06 font ',10'
plot 'data/ttcf_band.dat' using 1:2 with linespoints pt 7 lw 2 lc rgb '#1f77b4' notitle
unset multiplot
