# bench_ric: indications/s routed node -> RIC -> xApp(s) (mem://, 1 and 10 xApps; sctp+udp://
# with --udp PORT) and the control loop round trip (see bench/bench_ric.c).
if(TARGET kz_ric AND TARGET kz_test_agent)
  add_executable(bench_ric ${CMAKE_CURRENT_LIST_DIR}/bench_ric.c)
  target_link_libraries(bench_ric kz_ric kz_xapp kz_test_agent)
  set_target_properties(bench_ric PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
