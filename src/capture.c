/* \summary: read pcap/pcapng files through libpcap, merged by capture time */
/*
 * Each input keeps exactly one pending frame: the next one it will yield.
 * capture_next() hands out the earliest pending frame (lowest index on a
 * tie) and only reads that input's next record on the following call, so
 * the data pointer libpcap gave us stays valid as long as the caller may
 * use it -- libpcap only reuses a handle's buffer on that handle's next
 * read.  No copy, no allocation per frame.
 */
/* <pcap/pcap.h> needs the BSD u_char family; strdup/fileno are POSIX. */
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "decode.h"

#define CAPTURE_READ_BUF (256 * 1024)

struct capture_input {
	char *name;
	pcap_t *pcap;
	char *iobuf;               /* the FILE's buffer, freed after it */
	int dlt;
	bool has_filter;
	struct bpf_program prog;
	bool done;                 /* EOF or read error: nothing pending */
	bool pending;
	struct pcap_pkthdr hdr;    /* of the pending frame */
	const uint8_t *data;
	ct_time ts;                /* pending frame's stamp, in ns */
};

struct capture {
	struct capture_input *in;
	int nin;
	int last;                  /* input of the frame handed out, or -1 */
	uint64_t number;
	uint64_t backwards;
	bool have_prev;
	ct_time prev_ts;
	ct_time first_ts;
	uint64_t bytes_total;
	char **errors;             /* messages of damaged inputs */
	int nerrors;
};

static void input_close(struct capture_input *in)
{
	if (in->has_filter)
		pcap_freecode(&in->prog);
	in->has_filter = false;
	if (in->pcap)
		pcap_close(in->pcap);   /* also closes the FILE */
	in->pcap = NULL;
	free(in->iobuf);
	in->iobuf = NULL;
	free(in->name);
	in->name = NULL;
}

void capture_close(struct capture *cap)
{
	int i;

	if (!cap)
		return;
	for (i = 0; i < cap->nin; i++)
		input_close(&cap->in[i]);
	for (i = 0; i < cap->nerrors; i++)
		free(cap->errors[i]);
	free(cap->errors);
	free(cap->in);
	free(cap);
}

/*
 * Open one input.  We open the FILE ourselves so that a missing file gives
 * errno's text, an empty one can be told apart from garbage, and the size
 * of regular files is known.
 */
static int input_open(struct capture *cap, struct capture_input *in,
		      const char *name, const char *filter, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct stat st;
	FILE *fp;
	int c;

	in->name = strdup(name);
	if (!in->name) {
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s: out of memory", name);
		return CT_ERR_NOMEM;
	}
	if (strcmp(name, "-") == 0) {
		fp = stdin;
	} else {
		fp = fopen(name, "rb");
		if (!fp) {
			snprintf(errbuf, CT_ERRBUF_SIZE, "%s: %s", name,
				 strerror(errno));
			return CT_ERR_IO;
		}
		/* stdio's default buffer is one block: a read(2) every 4 KiB
		 * is a measurable share of a big replay (glibc ignores the
		 * size unless given the buffer) */
		in->iobuf = malloc(CAPTURE_READ_BUF);
		if (in->iobuf)
			setvbuf(fp, in->iobuf, _IOFBF, CAPTURE_READ_BUF);
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
		cap->bytes_total += (uint64_t)st.st_size;
	else if (fp != stdin && fstat(fileno(fp), &st) == 0 &&
		 S_ISDIR(st.st_mode)) {
		fclose(fp);
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s: %s", name,
			 strerror(EISDIR));
		return CT_ERR_IO;
	}
	c = getc(fp);
	if (c == EOF) {
		int was_error = ferror(fp);

		if (fp != stdin)
			fclose(fp);
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s: %s", name,
			 was_error ? strerror(errno) : "empty file");
		return was_error ? CT_ERR_IO : CT_ERR_FORMAT;
	}
	ungetc(c, fp);

	perr[0] = '\0';
	in->pcap = pcap_fopen_offline_with_tstamp_precision(fp,
			PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!in->pcap) {
		if (fp != stdin)
			fclose(fp);
		if (strstr(perr, "unknown file format"))
			snprintf(errbuf, CT_ERRBUF_SIZE,
				 "%s: not a pcap or pcapng capture", name);
		else
			snprintf(errbuf, CT_ERRBUF_SIZE, "%s: %s", name, perr);
		return CT_ERR_FORMAT;
	}

	in->dlt = pcap_datalink(in->pcap);
	if (!ct_decode_linktype_supported(in->dlt)) {
		const char *lname = pcap_datalink_val_to_name(in->dlt);

		if (lname)
			snprintf(errbuf, CT_ERRBUF_SIZE,
				 "%s: unsupported link type %s (%d); ctreplay "
				 "reads %s", name, lname, in->dlt,
				 ct_decode_linktypes_text());
		else
			snprintf(errbuf, CT_ERRBUF_SIZE,
				 "%s: unsupported link type %d; ctreplay reads "
				 "%s", name, in->dlt, ct_decode_linktypes_text());
		return CT_ERR_LINKTYPE;
	}

	if (filter) {
		if (pcap_compile(in->pcap, &in->prog, filter, 1,
				 PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(errbuf, CT_ERRBUF_SIZE, "%s: bad filter: %s",
				 name, pcap_geterr(in->pcap));
			return CT_ERR_FILTER;
		}
		in->has_filter = true;
	}
	return CT_OK;
}

struct capture *capture_open(char *const *files, int nfiles, const char *filter,
			     int *err, char *errbuf)
{
	struct capture *cap;
	int i, j, rc;

	*err = CT_OK;
	errbuf[0] = '\0';
	for (i = 0; i < nfiles; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(files[i], "-") && !strcmp(files[j], "-")) {
				snprintf(errbuf, CT_ERRBUF_SIZE,
					 "-: standard input given twice");
				*err = CT_ERR_IO;
				return NULL;
			}

	cap = calloc(1, sizeof(*cap));
	if (!cap)
		goto out_nomem;
	cap->last = -1;
	if (nfiles > 0) {
		cap->in = calloc((size_t)nfiles, sizeof(*cap->in));
		if (!cap->in)
			goto out_nomem;
	}
	for (i = 0; i < nfiles; i++) {
		cap->nin = i + 1;
		rc = input_open(cap, &cap->in[i], files[i], filter, errbuf);
		if (rc != CT_OK) {
			*err = rc;
			capture_close(cap);
			return NULL;
		}
	}
	return cap;

out_nomem:
	capture_close(cap);
	snprintf(errbuf, CT_ERRBUF_SIZE, "out of memory");
	*err = CT_ERR_NOMEM;
	return NULL;
}

/* Keep the message of an input that ended in a read error. */
static void input_failed(struct capture *cap, struct capture_input *in,
			 const char *why)
{
	char msg[CT_ERRBUF_SIZE];
	char **grown;
	char *copy;

	in->done = true;
	snprintf(msg, sizeof(msg), "%s: %s", in->name, why);
	grown = realloc(cap->errors, (size_t)(cap->nerrors + 1) *
			sizeof(*cap->errors));
	if (!grown)
		return;
	cap->errors = grown;
	copy = strdup(msg);
	if (!copy)
		return;
	cap->errors[cap->nerrors++] = copy;
}

/*
 * A pcapng timestamp is 64 unsigned bits in any unit, so tv_sec can be
 * anything, negative once libpcap's unsigned value wraps time_t.
 * Saturate at 2^62 ns (the year 2116) rather than overflow: that leaves
 * room to add any u32 number of seconds (a timeout) to a stamp.
 */
static ct_time capture_ts(const struct pcap_pkthdr *hdr)
{
	const int64_t lim = (INT64_MAX / 2) / CT_NSEC_PER_SEC;
	int64_t sec = (int64_t)hdr->ts.tv_sec;

	if (sec < 0 || sec > lim)
		sec = lim;
	/* With nanosecond precision tv_usec holds ns.  libpcap scales a
	 * microsecond field as read, a signed 32-bit number, so it may be
	 * negative or beyond a second: kept as it is (the engine's clock
	 * takes any ct_time). */
	return (ct_time)sec * CT_NSEC_PER_SEC + (ct_time)hdr->ts.tv_usec;
}

/* Read the next frame the filter accepts into in's pending slot. */
static void input_fill(struct capture *cap, struct capture_input *in)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int rc;

	in->pending = false;
	while (!in->done) {
		rc = pcap_next_ex(in->pcap, &hdr, &data);
		if (rc == 1) {
			if (in->has_filter &&
			    !pcap_offline_filter(&in->prog, hdr, data))
				continue;
			in->hdr = *hdr;
			in->data = data;
			in->ts = capture_ts(hdr);
			in->pending = true;
			return;
		}
		if (rc == PCAP_ERROR_BREAK || rc == 0) {
			in->done = true;
		} else {
			input_failed(cap, in, pcap_geterr(in->pcap));
		}
	}
}

int capture_next(struct capture *cap, struct ct_frame *f)
{
	struct capture_input *in;
	int i, best = -1;

	if (cap->last < 0) {
		/* First call: prime every input. */
		if (cap->number == 0)
			for (i = 0; i < cap->nin; i++)
				input_fill(cap, &cap->in[i]);
	} else {
		input_fill(cap, &cap->in[cap->last]);
	}
	for (i = 0; i < cap->nin; i++) {
		if (!cap->in[i].pending)
			continue;
		if (best < 0 || cap->in[i].ts < cap->in[best].ts)
			best = i;
	}
	cap->last = best;
	if (best < 0)
		return 0;

	in = &cap->in[best];
	in->pending = false;
	f->number = ++cap->number;
	f->ts_orig = in->ts;
	f->ts = in->ts;
	if (cap->have_prev && f->ts < cap->prev_ts) {
		f->ts = cap->prev_ts;
		cap->backwards++;
	}
	if (!cap->have_prev)
		cap->first_ts = f->ts;
	cap->have_prev = true;
	cap->prev_ts = f->ts;
	f->dlt = in->dlt;
	f->data = in->data;
	f->caplen = in->hdr.caplen;
	f->wirelen = in->hdr.len;
	f->file_index = best;
	return 1;
}

int capture_damaged(const struct capture *cap)
{
	return cap->nerrors;
}

const char *capture_error(const struct capture *cap, int i)
{
	if (i < 0 || i >= cap->nerrors)
		return NULL;
	return cap->errors[i];
}

uint64_t capture_backwards(const struct capture *cap)
{
	return cap->backwards;
}

ct_time capture_first_ts(const struct capture *cap)
{
	return cap->first_ts;
}

uint64_t capture_bytes_total(const struct capture *cap)
{
	return cap->bytes_total;
}
