# bench_e2ap: the E2AP codec against the asn1c (FlexRIC) figures of issue 2, the full cost (E2AP +
# E2SM payloads) against those of issue 3, and the KPM iterator (see docs/bench.md).
# Included from bench/CMakeLists.txt; bench/run.sh runs every bench_* in ${CMAKE_BINARY_DIR}/bench.
add_executable(bench_e2ap
  ${CMAKE_CURRENT_SOURCE_DIR}/bench_e2ap.c
  ${CMAKE_CURRENT_SOURCE_DIR}/bench_e2ap_pdus.c
  ${CMAKE_CURRENT_SOURCE_DIR}/bench_e2ap_full.c)
target_link_libraries(bench_e2ap PRIVATE kz_proto)
target_compile_definitions(bench_e2ap PRIVATE KZ_BENCH_BUILD_TYPE="${CMAKE_BUILD_TYPE}")
set_target_properties(bench_e2ap PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
