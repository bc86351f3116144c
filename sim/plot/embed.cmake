# embed.cmake - compiles the gnuplot templates (plots/NAME.gp) into the program
# as byte arrays, so that borderflow draws its charts from any directory and
# an installed binary needs no files next to it.
#
#   cmake -DOUT=plot_templates.c "-DIN=a.gp|b.gp" -P embed.cmake
#
# Bytes are written in hex: no escaping of quotes, backslashes or trigraphs
# to get wrong. The file is only rewritten when it changes.
string(REPLACE "|" ";" files "${IN}")
set(body "")
set(table "")
set(i 0)
foreach(f IN LISTS files)
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(REPEAT "0x..," 16 row) # CMake's regex has no {16}
  string(REGEX REPLACE "(${row})" "\\1\n    " hex "${hex}")
  get_filename_component(name "${f}" NAME)
  string(APPEND body "static const unsigned char t${i}[] = {\n    ${hex}0x00};\n")
  string(APPEND table "    {\"${name}\", t${i}, sizeof t${i} - 1},\n")
  math(EXPR i "${i} + 1")
endforeach()
set(text "/* Generated from plots/NAME.gp by sim/plot/embed.cmake: do not edit. */
#include \"plot/internal.h\"

${body}
const struct bf__template bf__templates[] = {
${table}};
const size_t bf__templates_n = ${i};
")
file(WRITE "${OUT}.new" "${text}")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
