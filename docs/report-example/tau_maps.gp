set terminal pngcairo size 1080,700 enhanced font ',11'
set output 'tau_maps.png'
set datafile missing 'NaN'
set encoding utf8
set multiplot layout 2,3 title '{/Symbol t}(r) [s] at k_r = 0.487 Å^{-1} (white: no valid fit)'
set logscale cb
set cbrange [0.673702:9.23254]
set palette rgb 33,13,10
set size ratio -1
set xrange [-0.5:23.5]
set yrange [23.5:-0.5]
set xlabel 'scan x [px]'
set ylabel 'scan y [px]'
set title 'k_{/Symbol f} = 0.0785 rad'
plot 'data/tau_map_0.dat' matrix with image notitle
set title 'k_{/Symbol f} = 1.02 rad'
plot 'data/tau_map_1.dat' matrix with image notitle
set title 'k_{/Symbol f} = 2.12 rad'
plot 'data/tau_map_2.dat' matrix with image notitle
set title 'k_{/Symbol f} = 3.22 rad'
plot 'data/tau_map_3.dat' matrix with image notitle
set title 'k_{/Symbol f} = 4.16 rad'
plot 'data/tau_map_4.dat' matrix with image notitle
set title 'k_{/Symbol f} = 5.26 rad'
plot 'data/tau_map_5.dat' matrix with image notitle
unset multiplot
