set terminal pngcairo size 800,500 enhanced font ',11'
set output 'histograms.png'
set datafile missing 'NaN'
set encoding utf8
set xlabel 'log_{10}({/Symbol t} / s)'
set ylabel 'positions'
set key top left font ',9'
set grid
set samples 400
set xrange [-0.4:1.6]
set title 'histograms of {/Symbol t}(r) at k_r = 0.487 Å^{-1}, with log-normal fits (dashed)'
plot 'data/histograms.dat' using 1:2 with steps lw 2 lc rgb '#1f77b4' title 'k_{/Symbol f} = 0.0785: median 2.24 s, {/Symbol s} = 0.63', \
     28.45/(0.272337*sqrt(2*pi))*exp(-0.5*((x-0.350089)/0.272337)**2) with lines dt 2 lw 1.5 lc rgb '#1f77b4' notitle, \
     'data/histograms.dat' using 1:3 with steps lw 2 lc rgb '#ff7f0e' title 'k_{/Symbol f} = 1.65: median 2.07 s, {/Symbol s} = 0.64', \
     28.7/(0.27809*sqrt(2*pi))*exp(-0.5*((x-0.316374)/0.27809)**2) with lines dt 2 lw 1.5 lc rgb '#ff7f0e' notitle, \
     'data/histograms.dat' using 1:4 with steps lw 2 lc rgb '#2ca02c' title 'k_{/Symbol f} = 3.22: median 2.03 s, {/Symbol s} = 0.65', \
     28.55/(0.281188*sqrt(2*pi))*exp(-0.5*((x-0.308308)/0.281188)**2) with lines dt 2 lw 1.5 lc rgb '#2ca02c' notitle, \
     'data/histograms.dat' using 1:5 with steps lw 2 lc rgb '#d62728' title 'k_{/Symbol f} = 4.79: median 2.06 s, {/Symbol s} = 0.59', \
     28.65/(0.254704*sqrt(2*pi))*exp(-0.5*((x-0.314116)/0.254704)**2) with lines dt 2 lw 1.5 lc rgb '#d62728' notitle
