/* \summary: runs every CUnit suite; exit status says whether all passed */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "tests.h"

int main(void)
{
	int (*suites[])(void) = {
		test_bytes_register,
		test_tuple_register,  test_settings_register,
		test_decode_register, test_engine_register,
		test_tcp_register,    test_report_register,
		test_helpers_register, test_sctp_register,
		test_robust_register,
		test_fw_register,
		test_ipt_register,
		test_nat_register,
	};
	unsigned failed;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (suites[i]() != 0) {
			fprintf(stderr, "suite registration failed: %s\n",
				CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
