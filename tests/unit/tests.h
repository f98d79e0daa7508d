/* \summary: CUnit suites of the unit test program, one per module */
#ifndef CTREPLAY_TESTS_H
#define CTREPLAY_TESTS_H

#include <CUnit/CUnit.h>

/* Each adds its suite to the registry; returns 0 or a CUnit error. */
int test_bytes_register(void);
int test_tuple_register(void);
int test_settings_register(void);
int test_decode_register(void);
int test_engine_register(void);
int test_tcp_register(void);
int test_report_register(void);
int test_helpers_register(void);
int test_sctp_register(void);
int test_robust_register(void);
int test_fw_register(void);
int test_ipt_register(void);
int test_nat_register(void);

#endif
