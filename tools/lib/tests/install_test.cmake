# ctest xe_pfvf_lib_install: install the tools into a scratch prefix, then
# build and run a consumer of libxe-pfvf with pkg-config and with
# find_package(xe-pfvf) (shared and static).  Run with
#   cmake -DBUILD_DIR=<tools build> -DCONSUMER_DIR=<tests/consumer>
#         -DWORK_DIR=<scratch> -DCXX=<c++ compiler> -P install_test.cmake
cmake_minimum_required(VERSION 3.20)
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake: -D${var}= missing")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# What must be there.  The library directory is lib or lib/<multiarch>
# (GNUInstallDirs): find it through the .pc file.
file(GLOB_RECURSE pc_files ${prefix}/*/xe-pfvf.pc)
list(LENGTH pc_files n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "want one xe-pfvf.pc under ${prefix}, found: ${pc_files}")
endif()
get_filename_component(pcdir ${pc_files} DIRECTORY)
get_filename_component(libdir ${pcdir} DIRECTORY)
foreach(f include/xe_pfvf/xe_pfvf.hpp include/xe_pfvf/bdf.hpp include/xe_pfvf/error.hpp
          include/xe_pfvf/unique_fd.hpp include/xe_pfvf/export.hpp bin/xe-pfvf
          share/man/man1/xe-pfvf.1 share/bash-completion/completions/xe-pfvf)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
foreach(f libxe-pfvf.so libxe-pfvf.so.1 libxe-pfvf.a cmake/xe-pfvf/xe-pfvfConfig.cmake
          cmake/xe-pfvf/xe-pfvfConfigVersion.cmake)
  if(NOT EXISTS ${libdir}/${f})
    message(FATAL_ERROR "not installed: ${libdir}/${f}")
  endif()
endforeach()
# The installed headers must not need the kernel's uAPI header.
file(GLOB headers ${prefix}/include/xe_pfvf/*.hpp)
foreach(h ${headers})
  file(STRINGS ${h} uapi REGEX "#include <linux/")
  if(uapi)
    message(FATAL_ERROR "${h} includes a kernel header: ${uapi}")
  endif()
endforeach()

# pkg-config, from the installed .pc only.
set(pkgconf ${CMAKE_COMMAND} -E env PKG_CONFIG_LIBDIR=${pcdir} PKG_CONFIG_PATH= pkg-config)
run(${pkgconf} --modversion xe-pfvf)
string(STRIP "${run_output}" version)
if(NOT version VERSION_GREATER_EQUAL 1.0 OR version VERSION_GREATER_EQUAL 2)
  message(FATAL_ERROR "pkg-config --modversion xe-pfvf: '${version}'")
endif()
run(${pkgconf} --cflags --libs xe-pfvf)
string(STRIP "${run_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
run(${CXX} -std=c++20 -Wall -Werror ${CONSUMER_DIR}/main.cpp ${flags} -Wl,-rpath,${libdir}
    -o ${WORK_DIR}/consumer_pkgconfig)
run(${WORK_DIR}/consumer_pkgconfig)
message(STATUS "pkg-config: ${run_output}")
if(NOT run_output MATCHES "libxe-pfvf ${version},")
  message(FATAL_ERROR "the header's library_version is not the .pc file's ${version}: ${run_output}")
endif()

# find_package(xe-pfvf), shared and static.
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer-build -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_CXX_COMPILER=${CXX})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
foreach(exe consumer_shared consumer_static)
  run(${WORK_DIR}/consumer-build/${exe})
  message(STATUS "find_package ${exe}: ${run_output}")
endforeach()

# The installed CLI finds the installed library (its RUNPATH is relative).
execute_process(COMMAND ${prefix}/bin/xe-pfvf --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "Usage: xe-pfvf")
  message(FATAL_ERROR "installed xe-pfvf --help: ${rc}\n${out}\n${err}")
endif()
