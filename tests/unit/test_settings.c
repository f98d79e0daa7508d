/* \summary: unit tests for settings: defaults, --set, sysctl files, --helper */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "settings.h"
#include "tests.h"

static void test_defaults(void)
{
	struct ct_settings s;

	ct_settings_init(&s);
	/* Linux 6.x, as `sysctl -a` shows on the reference kernel */
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_SYN_SENT], 120);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_SYN_RECV], 60);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_ESTABLISHED], 432000);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_FIN_WAIT], 120);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_CLOSE_WAIT], 60);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_LAST_ACK], 30);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_TIME_WAIT], 120);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_CLOSE], 10);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_RETRANS], 300);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_UNACK], 300);
	CU_ASSERT_EQUAL(s.udp_timeout, 30);
	CU_ASSERT_EQUAL(s.udp_timeout_stream, 120);
	CU_ASSERT_EQUAL(s.icmp_timeout, 30);
	CU_ASSERT_EQUAL(s.icmpv6_timeout, 30);
	CU_ASSERT_EQUAL(s.generic_timeout, 600);
	CU_ASSERT_TRUE(s.tcp_loose);
	CU_ASSERT_FALSE(s.tcp_be_liberal);
	CU_ASSERT_EQUAL(s.tcp_max_retrans, 3);
	CU_ASSERT_TRUE(s.checksum);
	CU_ASSERT_FALSE(s.acct);
	CU_ASSERT_EQUAL(s.max, 262144);
	CU_ASSERT_EQUAL(s.hz, 250);
	CU_ASSERT_EQUAL(s.nhelpers, 0);
}

/* Every accepted spelling of a key reaches the same field. */
static void test_set_keys(void)
{
	static const struct {
		const char *key, *value;
		int ok;
	} rows[] = {
		{ "tcp_timeout_established", "3600", 1 },
		{ "nf_conntrack_tcp_timeout_established", "3601", 1 },
		{ "net.netfilter.nf_conntrack_tcp_timeout_established", "3602", 1 },
		{ "net.nf_conntrack_max", "77", 1 },
		{ "udp_timeout", "5", 1 },
		{ "tcp_loose", "0", 1 },
		{ "checksum", "0", 1 },
		{ "count", "12", 1 },          /* read-only: accepted, ignored */
		{ "tcp_timeout_bogus", "1", 0 },
		{ "udp_timeout", "five", 0 },
		{ "udp_timeout", "-1", 0 },
		{ "udp_timeout", "4294967296", 0 },
		{ "hz", "0", 0 },
	};
	struct ct_settings s;
	char err[CT_ERRBUF_SIZE];
	size_t i;

	ct_settings_init(&s);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = ct_settings_set(&s, rows[i].key, rows[i].value, err);

		CU_ASSERT_EQUAL(rc == 0, rows[i].ok);
	}
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_ESTABLISHED], 3602);
	CU_ASSERT_EQUAL(s.max, 77);
	CU_ASSERT_EQUAL(s.udp_timeout, 5);
	CU_ASSERT_FALSE(s.tcp_loose);
	CU_ASSERT_FALSE(s.checksum);
}

static void test_sysctl_file(void)
{
	char path[] = "/tmp/ctreplay-sysctl-XXXXXX";
	char err[CT_ERRBUF_SIZE];
	struct ct_settings s;
	FILE *warn = tmpfile();
	char wbuf[512] = "";
	int fd = mkstemp(path);
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0 && warn != NULL);
	f = fdopen(fd, "w");
	fputs("net.ipv4.ip_forward = 1\n"
	      "net.netfilter.nf_conntrack_acct = 1\n"
	      "net.netfilter.nf_conntrack_count = 3\n"
	      "net.netfilter.nf_conntrack_tcp_timeout_established = 5\n"
	      "net.netfilter.nf_conntrack_udp_timeout = 7\n"
	      "net.netfilter.nf_log.2 = nf_log_ipv4\n"
	      "net.netfilter.nf_conntrack_brand_new_knob = 1\n",
	      f);
	fclose(f);
	ct_settings_init(&s);
	CU_ASSERT_EQUAL(ct_settings_load_sysctl(&s, path, warn, err), 0);
	CU_ASSERT_TRUE(s.acct);
	CU_ASSERT_EQUAL(s.tcp_timeouts[CT_TCP_ESTABLISHED], 5);
	CU_ASSERT_EQUAL(s.udp_timeout, 7);
	rewind(warn);
	CU_ASSERT_PTR_NOT_NULL(fgets(wbuf, sizeof(wbuf), warn));
	CU_ASSERT_PTR_NOT_NULL(strstr(wbuf, "brand_new_knob"));
	fclose(warn);
	unlink(path);
	CU_ASSERT_NOT_EQUAL(ct_settings_load_sysctl(&s, path, NULL, err), 0);
}

static void test_helpers(void)
{
	struct ct_settings s;
	char err[CT_ERRBUF_SIZE];

	ct_settings_init(&s);
	CU_ASSERT_EQUAL(ct_settings_add_helper(&s, "ftp:tcp/21", err), 0);
	CU_ASSERT_EQUAL(ct_settings_add_helper(&s, "tftp:udp/69", err), 0);
	CU_ASSERT_EQUAL(s.nhelpers, 2);
	CU_ASSERT_STRING_EQUAL(s.helpers[0].name, "ftp");
	CU_ASSERT_EQUAL(s.helpers[0].l4num, 6);
	CU_ASSERT_EQUAL(s.helpers[0].port, 21);
	CU_ASSERT_EQUAL(s.helpers[1].l4num, 17);
	CU_ASSERT_EQUAL(s.helpers[1].port, 69);
	CU_ASSERT_NOT_EQUAL(ct_settings_add_helper(&s, "ftp", err), 0);
	CU_ASSERT_NOT_EQUAL(ct_settings_add_helper(&s, "ftp:sctp/21", err), 0);
	CU_ASSERT_NOT_EQUAL(ct_settings_add_helper(&s, "ftp:tcp/0", err), 0);
	CU_ASSERT_NOT_EQUAL(ct_settings_add_helper(&s, "ftp:tcp/65536", err), 0);
	CU_ASSERT_NOT_EQUAL(ct_settings_add_helper(&s, "irc:tcp/6667", err), 0);
	CU_ASSERT_EQUAL(s.nhelpers, 2);
}

static void test_kernel_profile(void)
{
	struct ct_settings s;
	char err[CT_ERRBUF_SIZE];

	ct_settings_init(&s);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_CURRENT);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "5.10", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_5_10);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "5.16", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_5_15);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "6.1", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_6_1);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "6.12.118+deb13-amd64", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_6_12);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "6.18.44-fc-v1252", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_CURRENT);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "7.0", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_CURRENT);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "current", err), 0);
	CU_ASSERT_EQUAL(s.kernel, CT_KERNEL_CURRENT);
	CU_ASSERT_STRING_EQUAL(ct_kernel_info(CT_KERNEL_6_1)->name, "6.1");
	CU_ASSERT_NOT_EQUAL(ct_settings_set_kernel(&s, "4.19", err), 0);
	CU_ASSERT_NOT_EQUAL(ct_settings_set_kernel(&s, "new", err), 0);

	/* DCCP keys exist up to 6.12 only */
	CU_ASSERT_NOT_EQUAL(ct_settings_set(&s, "nf_conntrack_dccp_loose", "1",
					    err), 0);
	CU_ASSERT_EQUAL(ct_settings_set_kernel(&s, "6.1", err), 0);
	CU_ASSERT_EQUAL(ct_settings_set(&s, "nf_conntrack_dccp_loose", "1",
					err), 0);
}

int test_settings_register(void)
{
	CU_pSuite s = CU_add_suite("settings", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	if (!CU_add_test(s, "defaults", test_defaults) ||
	    !CU_add_test(s, "set keys", test_set_keys) ||
	    !CU_add_test(s, "sysctl file", test_sysctl_file) ||
	    !CU_add_test(s, "helpers", test_helpers) ||
	    !CU_add_test(s, "kernel profile", test_kernel_profile))
		return CU_get_error();
	return 0;
}
