/* \summary: the FTP helper (nf_conntrack_ftp): PORT/EPRT/227/229 -> expectations */
/*
 * What the kernel's helper does, rule for rule (6.x, no NAT, loose=0):
 *  - only ESTABLISHED / ESTABLISHED_REPLY packets with payload are looked
 *    at, and only parsed when the segment starts right after one that
 *    ended with '\n' (per direction, two such sequence numbers are
 *    remembered) - so the first payload of each direction never is;
 *  - the command must start the payload; prefixes are case-insensitive;
 *    a payload that starts like a command but does not parse to the end
 *    ("partial") is DROPPED, which is the one place conntrack drops for
 *    content;
 *  - an announced address other than the sender's creates nothing;
 *  - the expectation is for the other side: from the peer's address, any
 *    source port, to the announced port, TCP.
 * Numbers are not range-checked, as in 6.18: they are shifted into place
 * and overflow silently.
 */
#include <stdio.h>
#include <string.h>

#include "../bytes.h"
#include "core.h"
#include "helper.h"

#define FTP_TCP_MIN_HDR 20

/* What each direction looks for, in order (the kernel's search table). */
/* enum nf_ct_ftp_type */
enum { FTP_PORT = 0, FTP_PASV, FTP_EPRT, FTP_EPSV };

struct ftp_pattern {
	const char *text;
	size_t len;
	uint8_t type;          /* enum nf_ct_ftp_type */
	uint8_t skip;          /* skip up to and past this byte; 0: none */
	int term;              /* byte ending the numbers; 0: any */
	size_t (*getnum)(const uint8_t *d, size_t len, struct ct_ftp_cmd *cmd,
			 int term);
};

static bool ftp_isdigit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static uint8_t ftp_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/*
 * try_number(): n numbers separated by `sep`, the last one ended by
 * `term` (any other byte when term is 0).  Returns the terminator's
 * offset, 0 on any failure, including running out of bytes.
 */
static size_t ftp_numbers(const uint8_t *d, size_t len, uint32_t *v,
			  unsigned n, uint8_t sep, int term)
{
	size_t off;
	unsigned i = 0;

	memset(v, 0, n * sizeof(*v));
	for (off = 0; off < len && i < n; off++) {
		if (ftp_isdigit(d[off])) {
			v[i] = v[i] * 10 + (uint32_t)(d[off] - '0');
		} else if (d[off] == sep) {
			i++;
		} else {
			if ((term == 0 || d[off] == term) && i == n - 1)
				return off;
			return 0;
		}
	}
	return 0;
}

static void ftp_put_ipv4(struct ct_ftp_cmd *cmd, const uint32_t *v)
{
	uint32_t ip = (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3];

	cmd->addr[0] = (uint8_t)(ip >> 24);
	cmd->addr[1] = (uint8_t)(ip >> 16);
	cmd->addr[2] = (uint8_t)(ip >> 8);
	cmd->addr[3] = (uint8_t)ip;
}

/* "h1,h2,h3,h4,p1,p2" (RFC 959). */
static size_t ftp_rfc959(const uint8_t *d, size_t len, struct ct_ftp_cmd *cmd,
			 int term)
{
	uint32_t v[6];
	size_t n = ftp_numbers(d, len, v, 6, ',', term);

	if (n == 0)
		return 0;
	ftp_put_ipv4(cmd, v);
	cmd->port = (uint16_t)((v[4] << 8) | v[5]);
	return n;
}

/* 227 replies: the numbers start at the first digit (RFC 1123). */
static size_t ftp_rfc1123(const uint8_t *d, size_t len,
			  struct ct_ftp_cmd *cmd, int term)
{
	size_t i;

	(void)term;
	for (i = 0; i < len && !ftp_isdigit(d[i]); i++)
		;
	if (i == len)
		return 0;
	cmd->skip = (uint32_t)i;
	return ftp_rfc959(d + i, len - i, cmd, 0);
}

/*
 * get_port(): decimal digits from `start` up to `delim`, in 16 bits
 * (wrapping); 0 is refused.  Returns the offset after the delimiter, or 0.
 */
static size_t ftp_port(const uint8_t *d, size_t start, size_t len,
		       uint8_t delim, uint16_t *port)
{
	uint16_t p = 0;
	size_t i;

	for (i = start; i < len; i++) {
		if (d[i] == delim) {
			if (p == 0)
				return 0;
			*port = p;
			return i + 1;
		}
		if (!ftp_isdigit(d[i]))
			return 0;
		p = (uint16_t)(p * 10 + (d[i] - '0'));
	}
	return 0;
}

/* Classes of one byte of an IPv6 literal (the kernel's xdigit2bin). */
#define V6_HEX     0x01
#define V6_DIGIT   0x02
#define V6_COLON1  0x04    /* a lone ':' may come */
#define V6_COLON2  0x08    /* the second ':' of "::" may come */
#define V6_COLON12 0x10    /* a ':' that may start a "::" */
#define V6_COLONS  (V6_COLON1 | V6_COLON2 | V6_COLON12)
#define V6_DOT     0x20
#define V6_END     0x40
#define V6_NOWORD  0x80    /* no digits since the last ':' */
#define V6_BAD     0x100

static unsigned v6_class(int c, int delim, unsigned *val)
{
	*val = 0;
	if (c == delim || c == 0)
		return V6_END;
	if (c == ':')
		return V6_COLONS;
	if (c == '.')
		return V6_DOT;
	if (c >= '0' && c <= '9') {
		*val = (unsigned)(c - '0');
		return V6_HEX | V6_DIGIT;
	}
	if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
		*val = (unsigned)(ftp_lower((uint8_t)c) - 'a' + 10);
		return V6_HEX;
	}
	return delim == -1 ? V6_END : V6_BAD;
}

/* in4_pton(): dotted quad ended by delim, ':' or the end.  Returns the
 * offset of what ended it, or -1. */
static int ftp_in4_pton(const uint8_t *s, size_t len, int delim,
			uint8_t out[4])
{
	uint8_t buf[4];
	unsigned octets = 0, val, cls, w = 0;
	bool digits = false;
	size_t off;

	for (off = 0;; off++) {
		cls = v6_class(off < len ? s[off] : 0, delim, &val);
		if (!(cls & (V6_DIGIT | V6_DOT | V6_END | V6_COLONS)))
			return -1;
		if (cls & (V6_DOT | V6_END | V6_COLONS)) {
			if (!digits)
				return -1;
			buf[octets++] = (uint8_t)w;
			w = 0;
			digits = false;
			if (cls & (V6_END | V6_COLONS)) {
				if (octets != 4)
					return -1;
				break;
			}
		} else {
			w = w * 10 + val;
			digits = true;
			if (w > 255)
				return -1;
		}
		if (octets >= 4)
			return -1;
	}
	memcpy(out, buf, sizeof(buf));
	return (int)off;
}

int ct_ftp_in6_pton(const uint8_t *s, size_t len, int delim, uint8_t addr[16])
{
	uint8_t buf[16];
	size_t d = 0, dc = 0, off, tok = 0;
	bool have_dc = false;
	unsigned allow = V6_COLON12 | V6_HEX | V6_NOWORD, w = 0;

	memset(buf, 0, sizeof(buf));
	for (off = 0;; off++) {
		unsigned val, cls = v6_class(off < len ? s[off] : 0, delim, &val);

		if (!(cls & allow))
			return -1;
		if (cls & (V6_END | V6_COLONS)) {
			if (!(allow & V6_NOWORD)) {
				buf[d++] = (uint8_t)(w >> 8);
				buf[d++] = (uint8_t)w;
			}
			w = 0;
			if (cls & V6_END)
				break;
			switch (allow & V6_COLONS) {
			case V6_COLON2:
				/* "::": the zeros go here */
				dc = d;
				have_dc = true;
				allow = V6_HEX | V6_END;
				if (dc >= sizeof(buf))
					allow |= V6_NOWORD;
				break;
			case V6_COLON1 | V6_COLON12:
				allow = V6_HEX | V6_COLON2;
				break;
			case V6_COLON1:
				allow = V6_HEX;
				break;
			case V6_COLON12:
				allow = V6_COLON2;
				break;
			default:
				allow = 0;
			}
			tok = off + 1;
		} else if (cls & V6_DOT) {
			int n;

			if (d + 4 > sizeof(buf))
				return -1;
			n = ftp_in4_pton(s + tok, len > tok ? len - tok : 0,
					 delim, buf + d);
			if (n < 0)
				return -1;
			d += 4;
			off = tok + (size_t)n;
			break;
		} else {
			w = (w << 4) | val;
			allow = V6_COLON1 | V6_END;
			if (!(w & 0xf000))
				allow |= V6_HEX;
			if (!have_dc && d + 2 < sizeof(buf)) {
				allow |= V6_COLON12;
				allow &= ~(unsigned)V6_END;
			}
			if (d + 2 >= sizeof(buf))
				allow &= ~(unsigned)(V6_COLON1 | V6_COLON12);
		}
		if ((have_dc && d + 4 < sizeof(buf)) || d + 4 == sizeof(buf))
			allow |= V6_DOT;
		if (d >= sizeof(buf))
			allow &= ~(unsigned)(V6_HEX | V6_COLONS);
	}
	if (have_dc) {
		size_t tail = d - dc;

		memset(addr, 0, 16);
		memcpy(addr, buf, dc);
		memcpy(addr + 16 - tail, buf + dc, tail);
	} else {
		memcpy(addr, buf, sizeof(buf));
	}
	return (int)off;
}

/* "EPRT |1|a.b.c.d|port|" or "|2|v6|port|", any printable non-digit
 * delimiter; the family must be the connection's. */
static size_t ftp_eprt(const uint8_t *d, size_t len, struct ct_ftp_cmd *cmd,
		       int term)
{
	uint8_t delim;
	int n;

	(void)term;
	if (len <= 3)
		return 0;
	delim = d[0];
	if (ftp_isdigit(delim) || delim < 33 || delim > 126 || d[2] != delim)
		return 0;
	if ((cmd->l3num == CT_L3_IPV4 && d[1] != '1') ||
	    (cmd->l3num == CT_L3_IPV6 && d[1] != '2'))
		return 0;
	if (d[1] == '1') {
		uint32_t v[4];
		size_t m = ftp_numbers(d + 3, len - 3, v, 4, '.', delim);

		if (m == 0)
			return 0;
		ftp_put_ipv4(cmd, v);
		n = (int)m;
	} else {
		size_t l = len - 3 < 0xffff ? len - 3 : 0xffff;

		n = ct_ftp_in6_pton(d + 3, l, delim, cmd->addr);
		if (n <= 0)
			return 0;
	}
	return ftp_port(d, 3 + (size_t)n + 1, len, delim, &cmd->port);
}

/* "229 ... (|||port|)": three delimiters then the port. */
static size_t ftp_epsv(const uint8_t *d, size_t len, struct ct_ftp_cmd *cmd,
		       int term)
{
	uint8_t delim;

	(void)term;
	if (len <= 3)
		return 0;
	delim = d[0];
	if (ftp_isdigit(delim) || delim < 33 || delim > 126 ||
	    d[1] != delim || d[2] != delim)
		return 0;
	return ftp_port(d, 3, len, delim, &cmd->port);
}

static const struct ftp_pattern ftp_patterns[2][2] = {
	[CT_DIR_ORIGINAL] = {
		{ "PORT", 4, FTP_PORT, ' ', '\r', ftp_rfc959 },
		{ "EPRT", 4, FTP_EPRT, ' ', '\r', ftp_eprt },
	},
	[CT_DIR_REPLY] = {
		{ "227 ", 4, FTP_PASV, 0, 0, ftp_rfc1123 },
		{ "229 ", 4, FTP_EPSV, '(', ')', ftp_epsv },
	},
};

static bool ftp_prefix(const uint8_t *d, const char *text, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ftp_lower(d[i]) != ftp_lower((uint8_t)text[i]))
			return false;
	return true;
}

/* find_pattern() for one pattern. */
static enum ct_ftp_match ftp_find(const uint8_t *d, size_t len,
				  const struct ftp_pattern *p,
				  struct ct_ftp_cmd *cmd)
{
	size_t i = p->len;

	if (len == 0)
		return CT_FTP_NONE;  /* the helper never asks (no payload) */
	if (len <= p->len)
		return ftp_prefix(d, p->text, len) ? CT_FTP_PARTIAL
						   : CT_FTP_NONE;
	if (!ftp_prefix(d, p->text, p->len))
		return CT_FTP_NONE;
	if (p->skip) {
		for (i = p->len; d[i] != p->skip; i++)
			if (i == len - 1)
				return CT_FTP_PARTIAL;
		i++;
	}
	cmd->skip = 0;
	cmd->matchlen = (uint32_t)p->getnum(d + i, len - i, cmd, p->term);
	if (cmd->matchlen == 0)
		return CT_FTP_PARTIAL;
	cmd->matchoff = (uint32_t)i + cmd->skip;
	cmd->type = p->type;
	return CT_FTP_FOUND;
}

enum ct_ftp_match ct_ftp_parse(const uint8_t *data, size_t len,
			       enum ct_dir dir, struct ct_ftp_cmd *cmd,
			       const char **pattern)
{
	enum ct_ftp_match m = CT_FTP_NONE;
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(ftp_patterns[dir]); i++) {
		if (pattern)
			*pattern = ftp_patterns[dir][i].text;
		m = ftp_find(data, len, &ftp_patterns[dir][i], cmd);
		if (m != CT_FTP_NONE)
			break;
	}
	return m;
}

bool ct_ftp_seq_is_line_start(const struct ct_ftp_help *h, enum ct_dir dir,
			      uint32_t seq)
{
	unsigned i;

	for (i = 0; i < h->seq_aft_nl_num[dir]; i++)
		if (h->seq_aft_nl[dir][i] == seq)
			return true;
	return false;
}

static bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

void ct_ftp_seq_update(struct ct_ftp_help *h, enum ct_dir dir, uint32_t next)
{
	unsigned oldest;

	if (ct_ftp_seq_is_line_start(h, dir, next))
		return;
	if (h->seq_aft_nl_num[dir] < 2) {
		h->seq_aft_nl[dir][h->seq_aft_nl_num[dir]++] = next;
		return;
	}
	oldest = seq_before(h->seq_aft_nl[dir][0], h->seq_aft_nl[dir][1]) ? 0
									  : 1;
	/* only a later position replaces the older one */
	if (seq_before(h->seq_aft_nl[dir][oldest], next))
		h->seq_aft_nl[dir][oldest] = next;
}

/* nf_nat_ftp_fmt_cmd(): the command's address and port as NAT writes
 * them (PORT/227 numbers, EPRT with '|', %pI6's full IPv6 form). */
static size_t ftp_nat_fmt(char *buf, size_t n, uint8_t type, uint8_t l3num,
			  const uint8_t *a, uint16_t port)
{
	int r;

	switch (type) {
	case FTP_PORT:
	case FTP_PASV:
		r = snprintf(buf, n, "%u,%u,%u,%u,%u,%u", a[0], a[1], a[2],
			     a[3], port >> 8, port & 0xff);
		break;
	case FTP_EPRT:
		if (l3num == CT_L3_IPV4)
			r = snprintf(buf, n, "|1|%u.%u.%u.%u|%u|", a[0], a[1],
				     a[2], a[3], port);
		else
			r = snprintf(buf, n,
				     "|2|%02x%02x:%02x%02x:%02x%02x:%02x%02x:"
				     "%02x%02x:%02x%02x:%02x%02x:%02x%02x|%u|",
				     a[0], a[1], a[2], a[3], a[4], a[5], a[6],
				     a[7], a[8], a[9], a[10], a[11], a[12],
				     a[13], a[14], a[15], port);
		break;
	default:
		r = snprintf(buf, n, "|||%u|", port);
		break;
	}
	return r > 0 && (size_t)r < n ? (size_t)r : 0;
}

/*
 * nf_nat_ftp(): the data connection comes to where this packet goes
 * (the other direction's destination), so the command is rewritten to
 * name it, on the announced port when free (nf_nat_exp_find_port()),
 * and the expected connection follows the master's translation.
 */
static bool ftp_nat(struct ct_conn *ct, struct ct_pctx *ctx,
		    struct ct_expect *exp, const struct ct_ftp_cmd *cmd)
{
	enum ct_dir other = ctx->dir == CT_DIR_ORIGINAL ? CT_DIR_REPLY
						       : CT_DIR_ORIGINAL;
	uint32_t port = exp->tuple.dport, attempts = 128;
	char buf[128];
	size_t n;
	int r;

	exp->saved_port = exp->tuple.dport;
	exp->nat_dir = (uint8_t)other;
	exp->nat_follow = true;
	for (;;) {
		exp->tuple.dport = (uint16_t)port;
		r = ct_helper_expect_related(&ct_helper_ftp, exp, ctx);
		if (r == CT_EXPECT_OK)
			break;
		/* the kernel tries random ports above the announced one;
		 * the next ones here */
		if (r != CT_EXPECT_EBUSY || attempts-- == 0 || port >= 65535) {
			ctx->reason = "nf_nat_ftp: all ports in use";
			return false;
		}
		port++;
	}
	n = ftp_nat_fmt(buf, sizeof(buf), cmd->type, cmd->l3num,
			ct->tuple[other].dst, (uint16_t)port);
	if (n == 0 || !ct_engine_nat_mangle_tcp(ctx->eng, ct, ctx,
						cmd->matchoff, cmd->matchlen,
						buf, n)) {
		ctx->reason = "nf_nat_ftp: cannot mangle packet";
		return false;
	}
	return true;
}

static bool ftp_help(struct ct_conn *ct, struct ct_pctx *ctx)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes th = ct_pkt_l4(pkt);
	enum ct_dir dir = ctx->dir;
	enum ct_dir other = dir == CT_DIR_ORIGINAL ? CT_DIR_REPLY
						    : CT_DIR_ORIGINAL;
	struct ct_ftp_help *h;
	const uint8_t *data;
	const char *pattern = "";
	struct ct_ftp_cmd cmd;
	struct ct_expect exp;
	enum ct_ftp_match m;
	uint32_t doff, len, seq;
	bool ends_in_nl, ok = true;

	if (!ct->ext)
		return true;
	h = &ct->ext->help.ftp;
	/* nothing is looked at before traffic went both ways */
	if (ctx->ctinfo != CT_INFO_ESTABLISHED &&
	    ctx->ctinfo != CT_INFO_ESTABLISHED_REPLY)
		return true;
	if (!bytes_has(&th, 0, FTP_TCP_MIN_HDR))
		return true;
	doff = (uint32_t)(bytes_u8(&th, 12) >> 4) * 4;
	if (doff >= pkt->l4len)
		return true;
	len = pkt->l4len - doff;
	if (pkt->l4cap < pkt->l4len) {
		/* the kernel saw bytes the capture lacks: nothing to parse,
		 * and where the line ends is unknown */
		ct_explain(ctx, "ftp: payload not fully captured, not parsed");
		return true;
	}
	data = bytes_ptr(&th, doff);
	seq = bytes_be32(&th, 4);
	ends_in_nl = data[len - 1] == '\n';

	if (!ct_ftp_seq_is_line_start(h, dir, seq))
		goto update_nl;

	memset(&cmd, 0, sizeof(cmd));
	cmd.l3num = ct->tuple[CT_DIR_ORIGINAL].l3num;
	memcpy(cmd.addr, ct->tuple[dir].src, sizeof(cmd.addr));
	m = ct_ftp_parse(data, len, dir, &cmd, &pattern);
	if (m == CT_FTP_PARTIAL) {
		snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
			 "nf_ct_ftp: partial matching of `%s'", pattern);
		ctx->reason = ctx->reason_buf;
		return false;
	}
	if (m == CT_FTP_NONE)
		goto update_nl;
	if (memcmp(cmd.addr, ct->tuple[dir].src, sizeof(cmd.addr)) != 0) {
		/* a third host named: no hole for it (loose=0) */
		ct_explain(ctx, "ftp: %s names another address, no expectation",
			   pattern);
		goto update_nl;
	}
	ct_expect_init(&exp, ct, cmd.l3num, ct->tuple[other].src,
		       ct->tuple[other].dst, 6, NULL, cmd.port);
	if (ct_engine_nat_on(ctx->eng, ct)) {
		/* NAT takes the expectation over (nf_nat_ftp) */
		ok = ftp_nat(ct, ctx, &exp, &cmd);
	} else if (ct_helper_expect_related(&ct_helper_ftp, &exp, ctx) !=
		   CT_EXPECT_OK) {
		ctx->reason = "nf_ct_ftp: cannot add expectation";
		ok = false;
	}

update_nl:
	if (ends_in_nl)
		ct_ftp_seq_update(h, dir, seq + len);
	return ok;
}

const struct ct_helper_ops ct_helper_ftp = {
	.name = "ftp",
	.l4num = 6,
	.max_expected = 1,
	.timeout = 300,
	.help = ftp_help,
};
