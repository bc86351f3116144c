# term.gp FORMAT WIDTH HEIGHT NAME - opens NAME.FORMAT (png or svg) at
# WIDTH x HEIGHT pixels with the charts' font. `noenhanced`: _ ^ @ { } in
# names are drawn as they are, not as sub/superscripts.
if (ARG1 eq "svg") {
    set terminal svg size ARG2 + 0, ARG3 + 0 font "DejaVu Sans,18" noenhanced background rgb "white"
} else {
    set terminal pngcairo size ARG2 + 0, ARG3 + 0 font "DejaVu Sans,18" noenhanced background rgb "white"
}
set output ARG4 . "." . ARG1
