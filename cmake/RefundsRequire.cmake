# Checks, at configure time, for everything the build needs, so that a missing
# piece is one clear line naming the Debian package that provides it instead
# of a compiler or protoc error halfway through the build.
#
#   rf_require_pkg(PREFIX MODULE PACKAGE)   pkg-config MODULE (IMPORTED_TARGET PkgConfig::PREFIX)
#   rf_require_program(VAR NAME PACKAGE)    a program on PATH, its path in VAR
#   rf_require_file(PATH PACKAGE)           a file such as a .proto that a package installs
#   rf_require_python_module(PY MOD PKG)    a module importable by the Python interpreter PY
#
# Each failure is collected; rf_require_report() then stops with the whole list
# (one line per missing piece) and the apt-get command that installs them all.

set(RF_MISSING "" CACHE INTERNAL "")
set(RF_MISSING_PACKAGES "" CACHE INTERNAL "")

function(rf_missing what package)
  set(RF_MISSING "${RF_MISSING}\n  ${what}: install Debian's ${package}" CACHE INTERNAL "")
  set(list ${RF_MISSING_PACKAGES})
  list(APPEND list ${package})
  list(REMOVE_DUPLICATES list)
  set(RF_MISSING_PACKAGES "${list}" CACHE INTERNAL "")
endfunction()

function(rf_require_pkg prefix module package)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    rf_missing("pkg-config module ${module} not found" ${package})
  endif()
  set(${prefix}_FOUND ${${prefix}_FOUND} PARENT_SCOPE)
  set(${prefix}_INCLUDE_DIRS ${${prefix}_INCLUDE_DIRS} PARENT_SCOPE)
endfunction()

function(rf_require_program var name package)
  find_program(${var} ${name})
  if(NOT ${var})
    rf_missing("program ${name} not found" ${package})
  endif()
endfunction()

function(rf_require_file path package)
  if(NOT EXISTS ${path})
    rf_missing("${path} is missing" ${package})
  endif()
endfunction()

function(rf_require_python_module python module package)
  execute_process(COMMAND ${python} -c "import ${module}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT rc EQUAL 0)
    rf_missing("${python} cannot import ${module}" ${package})
  endif()
endfunction()

function(rf_require_report)
  if(NOT RF_MISSING STREQUAL "")
    string(REPLACE ";" " " pkgs "${RF_MISSING_PACKAGES}")
    set(msg "${RF_MISSING}")
    set(RF_MISSING "" CACHE INTERNAL "")
    set(RF_MISSING_PACKAGES "" CACHE INTERNAL "")
    message(FATAL_ERROR "missing build dependencies:${msg}\n"
                        "Install them with: apt-get install ${pkgs}\n"
                        "(deploy/local/run and deploy/local/test install them for you)")
  endif()
endfunction()
