# term.gp FORMAT WIDTH HEIGHT NAME - opens NAME.FORMAT (png or svg) at
# WIDTH x HEIGHT pixels with the charts' font. `noenhanced`: _ ^ @ { } in
# names are drawn as they are, not as sub/superscripts.
#
# The font is Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by
# `scripts/deps run`): it has the glyphs of Chinese city names as well as
# Latin ones. DejaVu Sans, the usual default, has no Chinese glyphs: without
# a CJK font every 杭州 is drawn as boxes. The report test checks that this
# name resolves to a font covering Chinese (tests/report/report_test.py cjk).
# The SVG names the font; a viewer without it substitutes its own.
if (ARG1 eq "svg") {
    set terminal svg size ARG2 + 0, ARG3 + 0 font "Noto Sans CJK SC,18" noenhanced background rgb "white"
} else {
    set terminal pngcairo size ARG2 + 0, ARG3 + 0 font "Noto Sans CJK SC,18" noenhanced background rgb "white"
}
# Run by borderflow (gnuplot -e bf_part=1), the image is drawn under a part
# name, .NAME.FORMAT.part, that borderflow renames once the file is whole;
# run by hand, straight to NAME.FORMAT.
if (exists("bf_part")) {
    set output "." . ARG4 . "." . ARG1 . ".part"
} else {
    set output ARG4 . "." . ARG1
}
