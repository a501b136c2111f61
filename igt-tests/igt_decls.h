/* SPDX-License-Identifier: MIT */
/*
 * igt_decls.h - minimal declarations for building IGT-style tests against
 * the system libigt.so.0.
 *
 * Why this file exists: Debian's intel-gpu-tools package (1.27.1) ships
 * libigt.so.0 with the whole core test API exported, but IGT does not
 * install its headers and no Debian package provides them.  This header
 * was written for the xe_pfvf project from IGT's public documentation
 * (lib/igt_core.h / lib/igt_kmod.h API docs) and checked against the
 * libigt.so.0 ABI of IGT 1.27 (nm -D, objdump of the exported entry
 * points).  It only declares what our tests use; every function and
 * variable named here is exported by that library.
 *
 * ABI facts relied upon (IGT 1.27):
 *  - igt_subtest_jmpbuf is a 200-byte (sigjmp_buf-sized) object; the library
 *    jumps to it with siglongjmp (__longjmp_chk) from igt_skip(), igt_fail(),
 *    __igt_fail_assert() and igt_success() paths.
 *  - __igt_run_subtest(name, file, line) returns true when the named subtest
 *    should run now (and prints "Starting subtest: ..."); a subtest block is
 *    "for (; __igt_run_subtest() && sigsetjmp(jmpbuf, 1) == 0; igt_success())".
 *    Leaving the block normally runs igt_success() which reports SUCCESS and
 *    longjmps back, making sigsetjmp return non-zero and ending the loop.
 *  - __igt_fixture() returns false while only listing subtests or after an
 *    earlier fixture failed/skipped; otherwise it marks "in fixture" and
 *    returns true.  __igt_fixture_complete() clears that mark after a
 *    fixture body ran to completion.  __igt_fixture_end() is noreturn: it
 *    is called *by the library* when a fixture skips/fails and longjmps to
 *    igt_subtest_jmpbuf; it is not part of the igt_fixture expansion.
 *  - igt_exit() is noreturn and computes the exit code: 0 success,
 *    77 all skipped, 98 failure, 79 invalid subtest name/option.
 *  - igt_describe(x) is igt_describe_f("%s", x) (there is no __igt_describe).
 *  - igt_kmod_unload() still takes a flags argument in 1.27.
 *  - Dynamic subtests: igt_dynamic_jmpbuf is a second 200-byte sigjmp_buf;
 *    __igt_enter_dynamic_container() (always true) marks the subtest as a
 *    container and __igt_run_dynamic_subtest(name) returns true when the
 *    dynamic subtest should run now (printing "Starting dynamic subtest:").
 *    Skips, fails and successes inside igt_dynamic jump to
 *    igt_dynamic_jmpbuf; the container's result is FAIL if any dynamic
 *    subtest failed, SKIP if none ran, else SUCCESS.  The container itself
 *    may skip but must not fail (libigt asserts on that).
 */
#ifndef XE_PFVF_IGT_DECLS_H
#define XE_PFVF_IGT_DECLS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN ((const char *)NULL)
#endif

#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_SKIP    77
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98
#define IGT_EXIT_ABORT   112

#define IGT_DECL_NORETURN __attribute__((noreturn))
#define IGT_DECL_PRINTF(f, a) __attribute__((format(printf, f, a)))

struct option;

/* ---- library entry points (all exported by libigt.so.0, IGT 1.27) ---- */

typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);

extern sigjmp_buf igt_subtest_jmpbuf;

bool __igt_run_subtest(const char *subtest_name, const char *file, const int line);
bool __igt_enter_dynamic_container(void);
bool __igt_run_dynamic_subtest(const char *dynamic_subtest_name);
extern sigjmp_buf igt_dynamic_jmpbuf;
bool __igt_fixture(void);
void __igt_fixture_complete(void);
IGT_DECL_NORETURN void __igt_fixture_end(void);

const char *igt_subtest_name(void);
const char *igt_test_name(void);
bool igt_only_list_subtests(void);

void igt_success(void);
IGT_DECL_NORETURN void igt_fail(int exitcode);
IGT_DECL_NORETURN void igt_exit(void);

IGT_DECL_NORETURN IGT_DECL_PRINTF(1, 2)
void igt_skip(const char *f, ...);

IGT_DECL_NORETURN IGT_DECL_PRINTF(5, 6)
void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *format, ...);

IGT_DECL_NORETURN IGT_DECL_PRINTF(6, 7)
void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *format, ...);

IGT_DECL_PRINTF(1, 2)
void igt_describe_f(const char *fmt, ...);

/* Optional whole-binary description, read by the library via a weak ref. */
extern const char *__igt_test_description __attribute__((weak));
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = (str)

enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};

IGT_DECL_PRINTF(3, 4)
void igt_log(const char *domain, enum igt_log_level level, const char *format, ...);
IGT_DECL_PRINTF(3, 0)
void igt_vlog(const char *domain, enum igt_log_level level, const char *format,
	      va_list args);
extern enum igt_log_level igt_log_level;

/* lib/igt_kmod.h (1.27 signatures) */
bool igt_kmod_is_loaded(const char *mod_name);
int igt_kmod_load(const char *mod_name, const char *opts);
int igt_kmod_unload(const char *mod_name, unsigned int flags);

/* ---- control-flow macros ---- */

#define IGT_DECL_CAT2(a, b) a##b
#define IGT_DECL_CAT(a, b) IGT_DECL_CAT2(a, b)
/* an identifier unique to the source line the macro is used on */
#define IGT_DECL_UNIQUE(p) IGT_DECL_CAT(IGT_DECL_CAT(igt_decl_, p), __LINE__)

/*
 * igt_main { ... }: defines main(), initialises the library with no extra
 * options, runs the block and hands the result to igt_exit().
 */
#define igt_main							\
	static void IGT_DECL_UNIQUE(body)(void);			\
	int main(int argc, char **argv)					\
	{								\
		igt_subtest_init_parse_opts(&argc, argv, NULL, NULL,	\
					    NULL, NULL, NULL);		\
		IGT_DECL_UNIQUE(body)();				\
		igt_exit();						\
	}								\
	static void IGT_DECL_UNIQUE(body)(void)

/*
 * igt_fixture { ... }: runs once unless listing / after an earlier fixture
 * skipped or failed.  A skip/fail inside it makes the library call
 * __igt_fixture_end(), which longjmps here with a non-zero value, ending the
 * loop without __igt_fixture_complete().
 */
#define igt_fixture							\
	for (volatile int IGT_DECL_UNIQUE(fix) = 0;			\
	     IGT_DECL_UNIQUE(fix) < 1 && __igt_fixture() &&		\
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0;			\
	     IGT_DECL_UNIQUE(fix)++, __igt_fixture_complete())

/* igt_subtest("name") { ... } */
#define igt_subtest(name)						\
	for (; __igt_run_subtest((name), __FILE__, __LINE__) &&		\
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0;			\
	     igt_success())

/* igt_subtest_f("fmt", ...) { ... }: name built with snprintf (max 255) */
#define igt_subtest_f(...)						\
	for (char IGT_DECL_UNIQUE(name)[256];				\
	     snprintf(IGT_DECL_UNIQUE(name),				\
		      sizeof(IGT_DECL_UNIQUE(name)), __VA_ARGS__) >= 0 && \
	     __igt_run_subtest(IGT_DECL_UNIQUE(name), __FILE__, __LINE__) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0;			\
	     igt_success())

/*
 * igt_subtest_with_dynamic("name") { ... igt_dynamic_f("fmt", ...) { } ... }:
 * a subtest whose results are those of the dynamic subtests run inside it.
 * Only igt_require/igt_skip may be used outside the igt_dynamic blocks.
 */
#define igt_subtest_with_dynamic(name)					\
	for (; __igt_run_subtest((name), __FILE__, __LINE__) &&		\
	       __igt_enter_dynamic_container() &&			\
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0;			\
	     igt_success())

/* igt_dynamic_f("fmt", ...) { ... }: name built with snprintf (max 255) */
#define igt_dynamic_f(...)						\
	for (char IGT_DECL_UNIQUE(dname)[256];				\
	     snprintf(IGT_DECL_UNIQUE(dname),				\
		      sizeof(IGT_DECL_UNIQUE(dname)), __VA_ARGS__) >= 0 && \
	     __igt_run_dynamic_subtest(IGT_DECL_UNIQUE(dname)) &&	\
	     sigsetjmp(igt_dynamic_jmpbuf, 1) == 0;			\
	     igt_success())

#define igt_describe(dsc) igt_describe_f("%s", (dsc))

/* ---- logging ---- */

#define igt_debug(...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, __VA_ARGS__)
#define igt_info(...)  igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, __VA_ARGS__)
#define igt_warn(...)  igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, __VA_ARGS__)

/* ---- asserts (fail the current subtest) ---- */

#define igt_assert(expr)						\
	do {								\
		if (!(expr))						\
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, NULL);	\
	} while (0)

#define igt_assert_f(expr, ...)						\
	do {								\
		if (!(expr))						\
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #expr, __VA_ARGS__); \
	} while (0)

/*
 * integer comparison; prints both values on failure.  The temporaries are
 * volatile so that -Wextra's -Wclobbered stays quiet when this is used in
 * the same function as the sigsetjmp() of igt_subtest/igt_fixture.
 */
#define igt_assert_cmpint(a, op, nop, b)				\
	do {								\
		volatile int igt_decl_a__ = (a), igt_decl_b__ = (b);	\
		if (!(igt_decl_a__ op igt_decl_b__))			\
			__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, \
					  __func__, #a " " #op " " #b,	\
					  "error: %d " #nop " %d\n",	\
					  igt_decl_a__, igt_decl_b__);	\
	} while (0)

#define igt_assert_eq(a, b)  igt_assert_cmpint(a, ==, !=, b)
#define igt_assert_neq(a, b) igt_assert_cmpint(a, !=, ==, b)
#define igt_assert_lt(a, b)  igt_assert_cmpint(a, <, >=, b)
#define igt_assert_lte(a, b) igt_assert_cmpint(a, <=, >, b)

/* ---- requirements (skip the current subtest, or all after a fixture) ---- */

#define igt_require(expr)						\
	do {								\
		if (!(expr))						\
			__igt_skip_check(__FILE__, __LINE__, __func__,	\
					 #expr, NULL);			\
		else							\
			igt_debug("Test requirement passed: %s\n", #expr); \
	} while (0)

#define igt_require_f(expr, ...)					\
	do {								\
		if (!(expr))						\
			__igt_skip_check(__FILE__, __LINE__, __func__,	\
					 #expr, __VA_ARGS__);		\
		else							\
			igt_debug("Test requirement passed: %s\n", #expr); \
	} while (0)

#define igt_skip_on_f(expr, ...)					\
	do {								\
		if ((expr))						\
			__igt_skip_check(__FILE__, __LINE__, __func__,	\
					 "!(" #expr ")", __VA_ARGS__);	\
		else							\
			igt_debug("Test requirement passed: !(%s)\n", #expr); \
	} while (0)

#endif /* XE_PFVF_IGT_DECLS_H */
