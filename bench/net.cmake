# bench_net: messages/s and round-trip latency of mem:// and sctp+udp:// (see bench/bench_net.c).
add_executable(bench_net ${CMAKE_CURRENT_LIST_DIR}/bench_net.c)
target_link_libraries(bench_net kz_net)
set_target_properties(bench_net PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
