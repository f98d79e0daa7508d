/* \summary: shared pieces of the libFuzzer harnesses: settings selector and reporters */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "report/report.h"

struct fuzz_reporters {
	FILE *null;
	unsigned oflags;
	struct report_events *ev;
	struct report_verdicts *vd;
	struct report_json *js;
	struct report_expect_events *xe;
	struct report_explain *ex;
	struct report_summary *sum;
	struct report_plot *plot;
};

static void fuzz_die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz harness: %s: %s\n", what, why);
	abort();
}

static void fuzz_set(struct ct_settings *set, const char *key, const char *val)
{
	char errbuf[CT_ERRBUF_SIZE];

	if (ct_settings_set(set, key, val, errbuf) != 0)
		fuzz_die(key, errbuf);
}

void fuzz_settings(struct ct_settings *set, uint8_t selector)
{
	static const char *const timers[] = {
		"tcp_timeout_syn_sent", "tcp_timeout_syn_recv",
		"tcp_timeout_established", "tcp_timeout_fin_wait",
		"tcp_timeout_close_wait", "tcp_timeout_last_ack",
		"tcp_timeout_time_wait", "tcp_timeout_close",
		"tcp_timeout_max_retrans", "tcp_timeout_unacknowledged",
		"udp_timeout", "udp_timeout_stream", "icmp_timeout",
		"icmpv6_timeout", "generic_timeout",
	};
	char errbuf[CT_ERRBUF_SIZE];
	size_t i;

	ct_settings_init(set);
	if (selector & FUZZ_SET_SMALL_TABLE)
		fuzz_set(set, "max", "8");
	if (selector & FUZZ_SET_HELPERS) {
		if (ct_settings_add_helper(set, "ftp:tcp/21", errbuf) != 0 ||
		    ct_settings_add_helper(set, "tftp:udp/69", errbuf) != 0)
			fuzz_die("helper", errbuf);
	}
	if (selector & FUZZ_SET_NO_LOOSE)
		fuzz_set(set, "tcp_loose", "0");
	if (selector & FUZZ_SET_LIBERAL)
		fuzz_set(set, "tcp_be_liberal", "1");
	if (selector & FUZZ_SET_KERNEL_510) {
		if (ct_settings_set_kernel(set, "5.10", errbuf) != 0)
			fuzz_die("kernel", errbuf);
	}
	if (selector & FUZZ_SET_NO_CHECKSUM)
		fuzz_set(set, "checksum", "0");
	if (selector & FUZZ_SET_SHORT_TIMERS)
		for (i = 0; i < CT_ARRAY_SIZE(timers); i++)
			fuzz_set(set, timers[i], "1");
}

struct fuzz_reporters *fuzz_reporters_attach(struct ct_engine *eng,
					     const struct ct_settings *set,
					     uint8_t selector)
{
	struct fuzz_reporters *fr = calloc(1, sizeof(*fr));
	struct ct_sink sink = { 0 };
	struct ct_exp_sink xsink = { 0 };

	if (fr == NULL)
		fuzz_die("calloc", "out of memory");
	/* One stream for every reporter: the bytes are thrown away, but
	 * every line is still formatted. */
	fr->null = fopen("/dev/null", "w");
	if (fr->null == NULL)
		fuzz_die("/dev/null", "cannot open");
	if (selector & FUZZ_SET_OFLAGS)
		fr->oflags = REPORT_O_TIMESTAMP | REPORT_O_EXTENDED | REPORT_O_ID;
	fr->ev = report_events_create(fr->null, fr->oflags, set->hz);
	fr->vd = report_verdicts_create(fr->null);
	fr->js = report_json_create(fr->null, set->hz);
	fr->xe = report_expect_events_create(fr->null, fr->oflags);
	/* --explain of an early frame: most inputs are a few frames long */
	fr->ex = report_explain_create(fr->null, 2, set->hz);
	fr->sum = report_summary_create();
	fr->plot = report_plot_create(set->max);
	if (fr->ev == NULL || fr->vd == NULL || fr->js == NULL ||
	    fr->xe == NULL || fr->ex == NULL || fr->sum == NULL ||
	    fr->plot == NULL)
		fuzz_die("reporters", "out of memory");
	report_events_sink(fr->ev, &sink);
	ct_engine_add_sink(eng, &sink);
	report_json_sink(fr->js, &sink);
	ct_engine_add_sink(eng, &sink);
	report_verdicts_sink(fr->vd, &sink);
	ct_engine_add_sink(eng, &sink);
	report_explain_sink(fr->ex, &sink);
	ct_engine_add_sink(eng, &sink);
	report_summary_sink(fr->sum, &sink);
	ct_engine_add_sink(eng, &sink);
	report_plot_sink(fr->plot, &sink);
	ct_engine_add_sink(eng, &sink);
	report_expect_events_sink(fr->xe, &xsink);
	ct_engine_add_expect_sink(eng, &xsink);
	return fr;
}

void fuzz_snapshot(struct fuzz_reporters *fr, struct ct_engine *eng)
{
	report_proc_snapshot(fr->null, eng, "0.000000000");
}

void fuzz_reporters_finish(struct fuzz_reporters *fr, struct ct_engine *eng)
{
	report_proc_snapshot(fr->null, eng, "end");
	report_proc_snapshot_sel(fr->null, eng, "end", NULL,
				 REPORT_PROC_IP_CONNTRACK);
	report_proc_expect(fr->null, eng);
	report_list(fr->null, fr->null, eng, fr->oflags);
	report_list_sel(fr->null, fr->null, eng, REPORT_O_XML, NULL);
	report_xml_finish(fr->null);
	/* As --until a week later: every timer fires, the table empties
	 * (expectations and all) and the destroy events are formatted. */
	ct_engine_advance(eng, ct_engine_now(eng) + 7 * 86400 * CT_NSEC_PER_SEC);
	report_proc_snapshot(fr->null, eng, "until");
	report_json_finish(fr->js, eng);
	report_explain_finish(fr->ex);
	report_stats(fr->null, eng);
	report_summary_print(fr->sum, fr->null, 0,
			     ct_kernel_info(ct_engine_settings(eng)->kernel)->name);
	report_plot_write(fr->plot, fr->null, "fuzz <&> \"title\"");
	report_events_destroy(fr->ev);
	report_expect_events_destroy(fr->xe);
	report_explain_destroy(fr->ex);
	report_summary_destroy(fr->sum);
	report_plot_destroy(fr->plot);
	report_verdicts_destroy(fr->vd);
	report_json_destroy(fr->js);
	fclose(fr->null);
	free(fr);
}

uint8_t *fuzz_exact_copy(const uint8_t *data, uint32_t caplen)
{
	/* malloc(0) too: AddressSanitizer reports any read of it. */
	uint8_t *copy = malloc(caplen);

	if (copy == NULL && caplen)
		fuzz_die("malloc", "out of memory");
	if (caplen)
		memcpy(copy, data, caplen);
	return copy;
}
