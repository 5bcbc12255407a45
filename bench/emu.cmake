# bench_emu: simulated seconds per wall/CPU second and UE-steps per second of the emulator
# (small city 24 h at 1 s and 5 s steps; large city, a busy 2 h at 1 s, full day with
# KZ_BENCH_FULL=1).  See bench/bench_emu.c.
add_executable(bench_emu ${CMAKE_CURRENT_LIST_DIR}/bench_emu.c)
target_link_libraries(bench_emu kz_emu)
target_compile_definitions(bench_emu PRIVATE KZ_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
set_target_properties(bench_emu PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
