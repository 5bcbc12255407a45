# bench_ric: indications/s routed node -> RIC -> xApp(s) (mem://, 1 and 10 xApps; sctp+udp://
# with --udp PORT) and the control loop round trip (see bench/bench_ric.c).
if(TARGET kz_ric AND TARGET kz_test_agent)
  add_executable(bench_ric ${CMAKE_CURRENT_LIST_DIR}/bench_ric.c
                         ${CMAKE_CURRENT_LIST_DIR}/bench_ric_scale.c)
  target_link_libraries(bench_ric kz_ric kz_xapp kz_test_agent)
  set_target_properties(bench_ric PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  # Short runs of the scale bench as tests (the full figures: bench_ric --scale-udp 1000 /
  # --scale-sim 10000, docs/ric.md): every node set up and subscribed, every indication delivered.
  add_test(NAME ric_scale_sim COMMAND bench_ric --scale-sim 2000 3)
  set_tests_properties(ric_scale_sim PROPERTIES TIMEOUT 60)
  if(KZ_HAVE_USRSCTP)
    add_test(NAME ric_scale_usrsctp COMMAND bench_ric --scale-udp 200 3)
    set_tests_properties(ric_scale_usrsctp PROPERTIES TIMEOUT 60)
    # node -> RIC -> xApp as three processes at full speed: exit 0 only if every one of the
    # 20,000 indications reached the xApp (the rate it prints is not checked: shared machines).
    add_test(NAME ric_pipeline_usrsctp COMMAND bench_ric --udp3 0 20000)
    set_tests_properties(ric_pipeline_usrsctp PROPERTIES TIMEOUT 120)
  endif()
endif()
