/* \summary: SCTP tracker (nf_conntrack_proto_sctp, Linux 6.x state machine) */
#include <stdio.h>
#include <string.h>

#include "../bytes.h"
#include "core.h"
#include "l4proto.h"

#define SCTP_HDRLEN 12
#define SCTP_CHUNK_HDRLEN 4
/* struct sctp_inithdr: init_tag, a_rwnd, two stream counts, initial TSN */
#define SCTP_INITHDR_LEN 16

/* Chunk types (RFC 9260 section 3.2) the tracker looks at. */
enum {
	SCTP_CID_DATA = 0,
	SCTP_CID_INIT = 1,
	SCTP_CID_INIT_ACK = 2,
	SCTP_CID_SACK = 3,
	SCTP_CID_HEARTBEAT = 4,
	SCTP_CID_HEARTBEAT_ACK = 5,
	SCTP_CID_ABORT = 6,
	SCTP_CID_SHUTDOWN = 7,
	SCTP_CID_SHUTDOWN_ACK = 8,
	SCTP_CID_ERROR = 9,
	SCTP_CID_COOKIE_ECHO = 10,
	SCTP_CID_COOKIE_ACK = 11,
	SCTP_CID_SHUTDOWN_COMPLETE = 14,
};

/* ABORT / SHUTDOWN_COMPLETE: the vtag is the sender's own, not the peer's */
#define SCTP_CHUNK_FLAG_T 0x01
/* proto.sctp.flags: a HEARTBEAT came with a vtag we did not expect */
#define SCTP_FLAG_HB_VTAG_FAILED 0x01

/* Rows of the transition table, in the kernel's order. */
enum sctp_row {
	ROW_INIT = 0,
	ROW_INIT_ACK,
	ROW_ABORT,
	ROW_SHUTDOWN,
	ROW_SHUTDOWN_ACK,
	ROW_ERROR,
	ROW_COOKIE_ECHO,
	ROW_COOKIE_ACK,
	ROW_SHUTDOWN_COMPLETE,
	ROW_HEARTBEAT,
	ROW_HEARTBEAT_ACK,
	ROW_MAX,
	ROW_NONE = -1,         /* chunk type that never moves the state */
};

#define sNO CT_SCTP_NONE
#define sCL CT_SCTP_CLOSED
#define sCW CT_SCTP_COOKIE_WAIT
#define sCE CT_SCTP_COOKIE_ECHOED
#define sES CT_SCTP_ESTABLISHED
#define sSS CT_SCTP_SHUTDOWN_SENT
#define sSR CT_SCTP_SHUTDOWN_RECD
#define sSA CT_SCTP_SHUTDOWN_ACK_SENT
#define sHS CT_SCTP_HEARTBEAT_SENT
#define sIV CT_SCTP_TIMEOUT_MAX  /* "no such transition": INVALID */

/*
 * sctp_conntracks[direction][chunk row][old state] as in the 6.x kernel
 * (net/netfilter/nf_conntrack_proto_sctp.c, sctp_conntracks[], read by
 * sctp_new_state()).  The reply-direction NONE and
 * HEARTBEAT_SENT columns are mostly invalid: an entry is only ever created
 * by an original-direction packet, and one created by a HEARTBEAT waits
 * for its HEARTBEAT_ACK.
 */
static const uint8_t sctp_table[2][ROW_MAX][CT_SCTP_TIMEOUT_MAX] = {
	{
		/*               NO   CL   CW   CE   ES   SS   SR   SA   HS */
		[ROW_INIT] =     { sCL, sCL, sCW, sCE, sES, sCL, sCL, sSA, sCW },
		[ROW_INIT_ACK] = { sCL, sCL, sCW, sCE, sES, sSS, sSR, sSA, sCL },
		[ROW_ABORT] =    { sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
		[ROW_SHUTDOWN] = { sCL, sCL, sCW, sCE, sSS, sSS, sSR, sSA, sCL },
		[ROW_SHUTDOWN_ACK] =
				 { sSA, sCL, sCW, sCE, sES, sSA, sSA, sSA, sSA },
		[ROW_ERROR] =    { sCL, sCL, sCW, sCE, sES, sSS, sSR, sSA, sCL },
		[ROW_COOKIE_ECHO] =
				 { sCL, sCL, sCE, sCE, sES, sSS, sSR, sSA, sCL },
		[ROW_COOKIE_ACK] =
				 { sCL, sCL, sCW, sES, sES, sSS, sSR, sSA, sCL },
		[ROW_SHUTDOWN_COMPLETE] =
				 { sCL, sCL, sCW, sCE, sES, sSS, sSR, sCL, sCL },
		[ROW_HEARTBEAT] =
				 { sHS, sCL, sCW, sCE, sES, sSS, sSR, sSA, sHS },
		[ROW_HEARTBEAT_ACK] =
				 { sCL, sCL, sCW, sCE, sES, sSS, sSR, sSA, sHS },
	},
	{
		/*               NO   CL   CW   CE   ES   SS   SR   SA   HS */
		[ROW_INIT] =     { sIV, sCL, sCW, sCE, sES, sSS, sSR, sSA, sIV },
		[ROW_INIT_ACK] = { sIV, sCW, sCW, sCE, sES, sSS, sSR, sSA, sIV },
		[ROW_ABORT] =    { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sIV },
		[ROW_SHUTDOWN] = { sIV, sCL, sCW, sCE, sSR, sSS, sSR, sSA, sIV },
		[ROW_SHUTDOWN_ACK] =
				 { sIV, sCL, sCW, sCE, sES, sSA, sSA, sSA, sIV },
		[ROW_ERROR] =    { sIV, sCL, sCW, sCL, sES, sSS, sSR, sSA, sIV },
		[ROW_COOKIE_ECHO] =
				 { sIV, sCL, sCE, sCE, sES, sSS, sSR, sSA, sIV },
		[ROW_COOKIE_ACK] =
				 { sIV, sCL, sCW, sES, sES, sSS, sSR, sSA, sIV },
		[ROW_SHUTDOWN_COMPLETE] =
				 { sIV, sCL, sCW, sCE, sES, sSS, sSR, sCL, sIV },
		[ROW_HEARTBEAT] =
				 { sIV, sCL, sCW, sCE, sES, sSS, sSR, sSA, sHS },
		[ROW_HEARTBEAT_ACK] =
				 { sIV, sCL, sCW, sCE, sES, sSS, sSR, sSA, sES },
	},
};

static const char *const sctp_state_names[CT_SCTP_TIMEOUT_MAX] = {
	[CT_SCTP_NONE] = "NONE",
	[CT_SCTP_CLOSED] = "CLOSED",
	[CT_SCTP_COOKIE_WAIT] = "COOKIE_WAIT",
	[CT_SCTP_COOKIE_ECHOED] = "COOKIE_ECHOED",
	[CT_SCTP_ESTABLISHED] = "ESTABLISHED",
	[CT_SCTP_SHUTDOWN_SENT] = "SHUTDOWN_SENT",
	[CT_SCTP_SHUTDOWN_RECD] = "SHUTDOWN_RECD",
	[CT_SCTP_SHUTDOWN_ACK_SENT] = "SHUTDOWN_ACK_SENT",
	[CT_SCTP_HEARTBEAT_SENT] = "HEARTBEAT_SENT",
};

const char *ct_sctp_state_text(unsigned state)
{
	if (state >= CT_SCTP_TIMEOUT_MAX)
		return "?";
	return sctp_state_names[state];
}

static int sctp_row_of(uint8_t type)
{
	switch (type) {
	case SCTP_CID_INIT:
		return ROW_INIT;
	case SCTP_CID_INIT_ACK:
		return ROW_INIT_ACK;
	case SCTP_CID_ABORT:
		return ROW_ABORT;
	case SCTP_CID_SHUTDOWN:
		return ROW_SHUTDOWN;
	case SCTP_CID_SHUTDOWN_ACK:
		return ROW_SHUTDOWN_ACK;
	case SCTP_CID_ERROR:
		return ROW_ERROR;
	case SCTP_CID_COOKIE_ECHO:
		return ROW_COOKIE_ECHO;
	case SCTP_CID_COOKIE_ACK:
		return ROW_COOKIE_ACK;
	case SCTP_CID_SHUTDOWN_COMPLETE:
		return ROW_SHUTDOWN_COMPLETE;
	case SCTP_CID_HEARTBEAT:
		return ROW_HEARTBEAT;
	case SCTP_CID_HEARTBEAT_ACK:
		return ROW_HEARTBEAT_ACK;
	default:
		return ROW_NONE;
	}
}

/* sctp_new_state(): DATA, SACK and friends leave the state alone. */
static uint8_t sctp_next_state(enum ct_dir dir, uint8_t cur, uint8_t type)
{
	int row = sctp_row_of(type);

	if (row == ROW_NONE)
		return cur;
	return sctp_table[dir][row][cur];
}

/* ------------------------------------------------------------------ */
/* CRC32c (Castagnoli, reflected polynomial 0x82F63B78), RFC 9260 App. B */

/*
 * crc32c_table[i]: i run through eight steps of the reflected division
 * (c = c & 1 ? c >> 1 ^ 0x82F63B78 : c >> 1), computed ahead of time and
 * constant, as lib/crc32.c keeps its tables in the kernel: trackers run on
 * several threads at once under -j, and a table filled on first use was a
 * data race between them.  The unit test "SCTP CRC32c" checks it against
 * a CRC computed bit by bit.
 */
static const uint32_t crc32c_table[256] = {
	0x00000000u, 0xf26b8303u, 0xe13b70f7u, 0x1350f3f4u,
	0xc79a971fu, 0x35f1141cu, 0x26a1e7e8u, 0xd4ca64ebu,
	0x8ad958cfu, 0x78b2dbccu, 0x6be22838u, 0x9989ab3bu,
	0x4d43cfd0u, 0xbf284cd3u, 0xac78bf27u, 0x5e133c24u,
	0x105ec76fu, 0xe235446cu, 0xf165b798u, 0x030e349bu,
	0xd7c45070u, 0x25afd373u, 0x36ff2087u, 0xc494a384u,
	0x9a879fa0u, 0x68ec1ca3u, 0x7bbcef57u, 0x89d76c54u,
	0x5d1d08bfu, 0xaf768bbcu, 0xbc267848u, 0x4e4dfb4bu,
	0x20bd8edeu, 0xd2d60dddu, 0xc186fe29u, 0x33ed7d2au,
	0xe72719c1u, 0x154c9ac2u, 0x061c6936u, 0xf477ea35u,
	0xaa64d611u, 0x580f5512u, 0x4b5fa6e6u, 0xb93425e5u,
	0x6dfe410eu, 0x9f95c20du, 0x8cc531f9u, 0x7eaeb2fau,
	0x30e349b1u, 0xc288cab2u, 0xd1d83946u, 0x23b3ba45u,
	0xf779deaeu, 0x05125dadu, 0x1642ae59u, 0xe4292d5au,
	0xba3a117eu, 0x4851927du, 0x5b016189u, 0xa96ae28au,
	0x7da08661u, 0x8fcb0562u, 0x9c9bf696u, 0x6ef07595u,
	0x417b1dbcu, 0xb3109ebfu, 0xa0406d4bu, 0x522bee48u,
	0x86e18aa3u, 0x748a09a0u, 0x67dafa54u, 0x95b17957u,
	0xcba24573u, 0x39c9c670u, 0x2a993584u, 0xd8f2b687u,
	0x0c38d26cu, 0xfe53516fu, 0xed03a29bu, 0x1f682198u,
	0x5125dad3u, 0xa34e59d0u, 0xb01eaa24u, 0x42752927u,
	0x96bf4dccu, 0x64d4cecfu, 0x77843d3bu, 0x85efbe38u,
	0xdbfc821cu, 0x2997011fu, 0x3ac7f2ebu, 0xc8ac71e8u,
	0x1c661503u, 0xee0d9600u, 0xfd5d65f4u, 0x0f36e6f7u,
	0x61c69362u, 0x93ad1061u, 0x80fde395u, 0x72966096u,
	0xa65c047du, 0x5437877eu, 0x4767748au, 0xb50cf789u,
	0xeb1fcbadu, 0x197448aeu, 0x0a24bb5au, 0xf84f3859u,
	0x2c855cb2u, 0xdeeedfb1u, 0xcdbe2c45u, 0x3fd5af46u,
	0x7198540du, 0x83f3d70eu, 0x90a324fau, 0x62c8a7f9u,
	0xb602c312u, 0x44694011u, 0x5739b3e5u, 0xa55230e6u,
	0xfb410cc2u, 0x092a8fc1u, 0x1a7a7c35u, 0xe811ff36u,
	0x3cdb9bddu, 0xceb018deu, 0xdde0eb2au, 0x2f8b6829u,
	0x82f63b78u, 0x709db87bu, 0x63cd4b8fu, 0x91a6c88cu,
	0x456cac67u, 0xb7072f64u, 0xa457dc90u, 0x563c5f93u,
	0x082f63b7u, 0xfa44e0b4u, 0xe9141340u, 0x1b7f9043u,
	0xcfb5f4a8u, 0x3dde77abu, 0x2e8e845fu, 0xdce5075cu,
	0x92a8fc17u, 0x60c37f14u, 0x73938ce0u, 0x81f80fe3u,
	0x55326b08u, 0xa759e80bu, 0xb4091bffu, 0x466298fcu,
	0x1871a4d8u, 0xea1a27dbu, 0xf94ad42fu, 0x0b21572cu,
	0xdfeb33c7u, 0x2d80b0c4u, 0x3ed04330u, 0xccbbc033u,
	0xa24bb5a6u, 0x502036a5u, 0x4370c551u, 0xb11b4652u,
	0x65d122b9u, 0x97baa1bau, 0x84ea524eu, 0x7681d14du,
	0x2892ed69u, 0xdaf96e6au, 0xc9a99d9eu, 0x3bc21e9du,
	0xef087a76u, 0x1d63f975u, 0x0e330a81u, 0xfc588982u,
	0xb21572c9u, 0x407ef1cau, 0x532e023eu, 0xa145813du,
	0x758fe5d6u, 0x87e466d5u, 0x94b49521u, 0x66df1622u,
	0x38cc2a06u, 0xcaa7a905u, 0xd9f75af1u, 0x2b9cd9f2u,
	0xff56bd19u, 0x0d3d3e1au, 0x1e6dcdeeu, 0xec064eedu,
	0xc38d26c4u, 0x31e6a5c7u, 0x22b65633u, 0xd0ddd530u,
	0x0417b1dbu, 0xf67c32d8u, 0xe52cc12cu, 0x1747422fu,
	0x49547e0bu, 0xbb3ffd08u, 0xa86f0efcu, 0x5a048dffu,
	0x8ecee914u, 0x7ca56a17u, 0x6ff599e3u, 0x9d9e1ae0u,
	0xd3d3e1abu, 0x21b862a8u, 0x32e8915cu, 0xc083125fu,
	0x144976b4u, 0xe622f5b7u, 0xf5720643u, 0x07198540u,
	0x590ab964u, 0xab613a67u, 0xb831c993u, 0x4a5a4a90u,
	0x9e902e7bu, 0x6cfbad78u, 0x7fab5e8cu, 0x8dc0dd8fu,
	0xe330a81au, 0x115b2b19u, 0x020bd8edu, 0xf0605beeu,
	0x24aa3f05u, 0xd6c1bc06u, 0xc5914ff2u, 0x37faccf1u,
	0x69e9f0d5u, 0x9b8273d6u, 0x88d28022u, 0x7ab90321u,
	0xae7367cau, 0x5c18e4c9u, 0x4f48173du, 0xbd23943eu,
	0xf36e6f75u, 0x0105ec76u, 0x12551f82u, 0xe03e9c81u,
	0x34f4f86au, 0xc69f7b69u, 0xd5cf889du, 0x27a40b9eu,
	0x79b737bau, 0x8bdcb4b9u, 0x988c474du, 0x6ae7c44eu,
	0xbe2da0a5u, 0x4c4623a6u, 0x5f16d052u, 0xad7d5351u,
};

/* CRC of the SCTP packet with its checksum field taken as zero. */
static uint32_t sctp_crc(const uint8_t *p, uint32_t len)
{
	uint32_t crc = 0xffffffffu, i;
	uint8_t b;

	for (i = 0; i < len; i++) {
		b = (i >= 8 && i < 12) ? 0 : p[i];
		crc = crc32c_table[(crc ^ b) & 0xff] ^ (crc >> 8);
	}
	return ~crc;
}

/*
 * sctp_error(): the common header must be there; with
 * nf_conntrack_checksum the CRC32c must verify.  The CRC goes on the wire
 * least significant byte first.  A packet not captured whole cannot be
 * checked and passes.
 */
static bool sctp_error(struct ct_pctx *ctx)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes sh = ct_pkt_l4(pkt);
	uint32_t crc;

	if (pkt->l4len < SCTP_HDRLEN) {
		ctx->reason = "short packet";
		return false;
	}
	if (!ctx->set->checksum || !bytes_has(&sh, 0, pkt->l4len))
		return true;
	crc = sctp_crc(bytes_ptr(&sh, 0), pkt->l4len);
	if (crc != bytes_le32(&sh, 8)) {
		ctx->reason = "bad CRC";
		return false;
	}
	return true;
}

static bool sctp_pkt_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t)
{
	return ct_l4_ports_to_tuple(ctx, t, "short packet: no ports",
				    "ports not captured");
}


/*
 * Walking the chunks as for_each_sctp_chunk does: from the end of the
 * common header while a whole chunk header fits, stepping by the chunk
 * length rounded up to 4.  Only captured bytes can be read.  While
 * walk_ok(), the chunk header (type, flags, length) at off is there.
 */
struct sctp_walk {
	struct bytes v;        /* the captured SCTP packet */
	uint32_t off;          /* offset of the current chunk */
	uint32_t count;        /* chunks before the current one */
};

static void walk_start(struct sctp_walk *w, const struct ct_pkt *pkt)
{
	w->v = ct_pkt_l4(pkt);
	w->off = SCTP_HDRLEN;
	w->count = 0;
}

static bool walk_ok(const struct sctp_walk *w)
{
	return bytes_has(&w->v, w->off, SCTP_CHUNK_HDRLEN);
}

static uint8_t walk_type(const struct sctp_walk *w)
{
	return bytes_u8(&w->v, w->off);
}

static uint8_t walk_flags(const struct sctp_walk *w)
{
	return bytes_u8(&w->v, w->off + 1);
}

static uint16_t walk_len(const struct sctp_walk *w)
{
	return bytes_be16(&w->v, w->off + 2);
}

static void walk_next(struct sctp_walk *w)
{
	w->off += (walk_len(w) + 3u) & ~3u;
	w->count++;
}

/* The chunk's INIT / INIT_ACK header tag, if the whole header is there. */
static bool walk_init_tag(const struct sctp_walk *w, uint32_t *tag)
{
	uint32_t at = w->off + SCTP_CHUNK_HDRLEN;

	if (!bytes_has(&w->v, at, SCTP_INITHDR_LEN))
		return false;
	*tag = bytes_be32(&w->v, at);
	return true;
}

struct sctp_map {
	uint32_t bits[8];
};

static void map_set(struct sctp_map *m, uint8_t type)
{
	m->bits[type >> 5] |= 1u << (type & 31);
}

static bool map_has(const struct sctp_map *m, uint8_t type)
{
	return (m->bits[type >> 5] >> (type & 31)) & 1;
}

/*
 * do_basic_checks(): no chunk of length zero; COOKIE_ECHO, COOKIE_ACK,
 * and everything after an INIT, INIT_ACK or SHUTDOWN_COMPLETE only as
 * the first chunk; at least one chunk.  Fills the set of chunk types.
 */
static bool sctp_basic_checks(const struct ct_pkt *pkt, struct sctp_map *map,
			      const char **reason)
{
	struct sctp_walk w;
	bool bundling_forbidden = false;
	uint8_t type;

	memset(map, 0, sizeof(*map));
	for (walk_start(&w, pkt); walk_ok(&w); walk_next(&w)) {
		type = walk_type(&w);
		if (type == SCTP_CID_INIT || type == SCTP_CID_INIT_ACK ||
		    type == SCTP_CID_SHUTDOWN_COMPLETE)
			bundling_forbidden = true;
		if (walk_len(&w) == 0) {
			*reason = "zero-length chunk";
			return false;
		}
		if ((type == SCTP_CID_COOKIE_ACK ||
		     type == SCTP_CID_COOKIE_ECHO || bundling_forbidden) &&
		    w.count != 0) {
			*reason = "chunk that must come alone or first is bundled";
			return false;
		}
		map_set(map, type);
	}
	if (w.count == 0) {
		*reason = "no chunks";
		return false;
	}
	return true;
}

/*
 * sctp_new(): every chunk must be one that may open an entry (its
 * NONE-column result is a real state); INIT must carry vtag 0 and gives
 * the reply direction's vtag, HEARTBEAT records the original's, anything
 * else the reply direction's from the header (out-of-the-blue answers).
 */
static bool sctp_new_entry(struct ct_conn *ct, struct ct_pctx *ctx,
			   uint32_t vtag)
{
	struct sctp_walk w;
	uint8_t type, st;
	uint32_t tag;

	memset(&ct->proto.sctp, 0, sizeof(ct->proto.sctp));
	for (walk_start(&w, ctx->pkt); walk_ok(&w); walk_next(&w)) {
		type = walk_type(&w);
		st = sctp_next_state(CT_DIR_ORIGINAL, CT_SCTP_NONE, type);
		if (st == CT_SCTP_NONE || st == sIV) {
			snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
				 "chunk type %u cannot start an association",
				 type);
			ctx->reason = ctx->reason_buf;
			return false;
		}
		if (type == SCTP_CID_INIT) {
			if (vtag != 0) {
				ctx->reason = "INIT with non-zero vtag";
				return false;
			}
			if (!walk_init_tag(&w, &tag)) {
				ctx->reason = "truncated INIT chunk";
				return false;
			}
			ct->proto.sctp.vtag[CT_DIR_REPLY] = tag;
		} else if (type == SCTP_CID_HEARTBEAT) {
			ct->proto.sctp.vtag[CT_DIR_ORIGINAL] = vtag;
		} else {
			ct->proto.sctp.vtag[CT_DIR_REPLY] = vtag;
		}
		ct->proto.sctp.state = CT_SCTP_NONE;
	}
	return true;
}

/*
 * HEARTBEAT / HEARTBEAT_ACK vtag handling (a secondary path of a
 * multi-homed association may show up with tags we never learnt).
 * Returns 1 to go on with the chunk, 0 to skip it (and not refresh),
 * -1 for INVALID.
 */
static int sctp_heartbeat_vtag(struct ct_conn *ct, enum ct_dir dir,
			       uint8_t type, uint32_t vtag, bool has_data,
			       bool ignore)
{
	uint32_t *mine = &ct->proto.sctp.vtag[dir];

	if (*mine == 0) {
		*mine = vtag;
		return 1;
	}
	if (vtag == *mine) {
		ct->proto.sctp.flags &= (uint8_t)~SCTP_FLAG_HB_VTAG_FAILED;
		return 1;
	}
	if (has_data || ignore)
		return -1;
	if (type == SCTP_CID_HEARTBEAT) {
		ct->proto.sctp.flags |= SCTP_FLAG_HB_VTAG_FAILED;
		ct->proto.sctp.last_dir = (uint8_t)dir;
		return 0;
	}
	/* an ACK for such a HEARTBEAT from the other side: adopt its tags */
	if (!(ct->proto.sctp.flags & SCTP_FLAG_HB_VTAG_FAILED) ||
	    ct->proto.sctp.last_dir == dir)
		return -1;
	ct->proto.sctp.flags &= (uint8_t)~SCTP_FLAG_HB_VTAG_FAILED;
	*mine = vtag;
	ct->proto.sctp.vtag[!dir] = 0;
	return 1;
}

static enum ct_l4_verdict sctp_invalid(struct ct_pctx *ctx, const char *why)
{
	ctx->reason = why;
	return CT_L4_INVALID;
}

/* nf_conntrack_sctp_packet() after sctp_error(). */
static enum ct_l4_verdict sctp_packet(struct ct_conn *ct, struct ct_pctx *ctx)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes sh = ct_pkt_l4(pkt);
	enum ct_dir dir = ctx->dir;
	struct sctp_map map;
	struct sctp_walk w;
	uint32_t vtag, tag, peer;
	uint8_t type, flags, old_state, new_state, first_state;
	bool ignore = false;
	const char *why = NULL;
	int hb;

	if (!bytes_has(&sh, 0, SCTP_HDRLEN))
		return sctp_invalid(ctx, "SCTP header not captured");
	vtag = bytes_be32(&sh, 4);
	if (!sctp_basic_checks(pkt, &map, &why))
		return sctp_invalid(ctx, why);

	if (!ctx->confirmed) {
		/* out-of-the-blue packets that must not open an entry */
		if (map_has(&map, SCTP_CID_ABORT) ||
		    map_has(&map, SCTP_CID_SHUTDOWN_COMPLETE) ||
		    map_has(&map, SCTP_CID_COOKIE_ACK))
			return sctp_invalid(ctx,
				"ABORT, SHUTDOWN_COMPLETE or COOKIE_ACK without an entry");
		if (!sctp_new_entry(ct, ctx, vtag))
			return CT_L4_INVALID;
	}

	/* the common vtag check, unless a chunk has its own rule */
	if (!map_has(&map, SCTP_CID_INIT) &&
	    !map_has(&map, SCTP_CID_SHUTDOWN_COMPLETE) &&
	    !map_has(&map, SCTP_CID_COOKIE_ECHO) &&
	    !map_has(&map, SCTP_CID_ABORT) &&
	    !map_has(&map, SCTP_CID_SHUTDOWN_ACK) &&
	    !map_has(&map, SCTP_CID_HEARTBEAT) &&
	    !map_has(&map, SCTP_CID_HEARTBEAT_ACK) &&
	    vtag != ct->proto.sctp.vtag[dir]) {
		snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
			 "verification tag 0x%x, expected 0x%x", vtag,
			 ct->proto.sctp.vtag[dir]);
		ctx->reason = ctx->reason_buf;
		return CT_L4_INVALID;
	}

	first_state = ct->proto.sctp.state;
	old_state = new_state = CT_SCTP_NONE;
	for (walk_start(&w, pkt); walk_ok(&w); walk_next(&w)) {
		type = walk_type(&w);
		flags = walk_flags(&w);
		peer = (flags & SCTP_CHUNK_FLAG_T) ? ct->proto.sctp.vtag[!dir]
						  : ct->proto.sctp.vtag[dir];
		switch (type) {
		case SCTP_CID_INIT:
			if (vtag != 0)
				return sctp_invalid(ctx, "INIT with non-zero vtag");
			break;
		case SCTP_CID_ABORT:
		case SCTP_CID_SHUTDOWN_COMPLETE:
			if (vtag != peer)
				return sctp_invalid(ctx, type == SCTP_CID_ABORT ?
					"ABORT with a wrong vtag" :
					"SHUTDOWN_COMPLETE with a wrong vtag");
			break;
		case SCTP_CID_COOKIE_ECHO:
			if (vtag != ct->proto.sctp.vtag[dir])
				return sctp_invalid(ctx,
					"COOKIE_ECHO with a wrong vtag");
			break;
		case SCTP_CID_COOKIE_ACK:
			ct->proto.sctp.init[0] = ct->proto.sctp.init[1] = 0;
			break;
		case SCTP_CID_HEARTBEAT:
		case SCTP_CID_HEARTBEAT_ACK:
			hb = sctp_heartbeat_vtag(ct, dir, type, vtag,
						 map_has(&map, SCTP_CID_DATA),
						 ignore);
			if (hb < 0)
				return sctp_invalid(ctx,
					"heartbeat with a wrong vtag");
			if (hb == 0) {
				ignore = true;
				continue;
			}
			break;
		default:
			break;
		}

		old_state = ct->proto.sctp.state;
		new_state = sctp_next_state(dir, old_state, type);
		if (new_state == sIV) {
			snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
				 "chunk type %u not allowed in %s (%s)", type,
				 ct_sctp_state_text(old_state),
				 dir == CT_DIR_ORIGINAL ? "original" : "reply");
			ctx->reason = ctx->reason_buf;
			return CT_L4_INVALID;
		}

		if (type == SCTP_CID_INIT) {
			if (!walk_init_tag(&w, &tag))
				return sctp_invalid(ctx, "truncated INIT chunk");
			if (ct->proto.sctp.init[dir] && ct->proto.sctp.init[!dir])
				ct->proto.sctp.init[!dir] = 0;
			ct->proto.sctp.init[dir] = 1;
			ct->proto.sctp.vtag[!dir] = tag;
			/* a retransmitted INIT must not keep a dead entry
			 * (and a reused port) alive */
			if (new_state == CT_SCTP_CLOSED &&
			    old_state == CT_SCTP_CLOSED && ctx->confirmed)
				ignore = true;
		} else if (type == SCTP_CID_INIT_ACK) {
			if (!walk_init_tag(&w, &tag))
				return sctp_invalid(ctx,
					"truncated INIT_ACK chunk");
			peer = ct->proto.sctp.vtag[!dir];
			if (!ct->proto.sctp.init[!dir] && peer && peer != tag)
				return sctp_invalid(ctx,
					"INIT_ACK tag does not match");
			if (ct->proto.sctp.init[dir] &&
			    ct->proto.sctp.init[!dir] && peer != tag)
				return sctp_invalid(ctx,
					"INIT_ACK tag does not match (collision)");
			ct->proto.sctp.vtag[!dir] = tag;
		}

		ct->proto.sctp.state = new_state;
		if (old_state != new_state) {
			ct_engine_cache_event(ctx->eng, ct, CT_IPCT_PROTOINFO);
			if (new_state == CT_SCTP_ESTABLISHED)
				ct_engine_set_status(ctx->eng, ct,
						     CT_IPS_ASSURED);
		}
	}

	if (ct->proto.sctp.state != first_state)
		ct_explain(ctx, "%s -> %s%s", ct_sctp_state_text(first_state),
			   ct_sctp_state_text(ct->proto.sctp.state),
			   ignore ? " (timeout not refreshed)" : "");
	else if (ignore)
		ct_explain(ctx, "accepted without refreshing the timeout");
	if (ignore)
		return CT_L4_ACCEPT;

	/* the NONE slot holds the "new" timeout, CLOSED's */
	if (new_state == CT_SCTP_NONE || new_state >= CT_SCTP_TIMEOUT_MAX)
		new_state = CT_SCTP_CLOSED;
	ct_engine_refresh(ctx->eng, ct, ctx, ctx->set->sctp_timeouts[new_state]);
	return CT_L4_ACCEPT;
}

static const char *sctp_state_name(const struct ct_conn *ct)
{
	return ct_sctp_state_text(ct->proto.sctp.state);
}

const struct ct_l4proto ct_l4proto_sctp = {
	.l4num = 132,
	.name = "sctp",
	.check = sctp_error,
	.pkt_to_tuple = sctp_pkt_to_tuple,
	.invert = ct_l4_ports_invert,
	.new = NULL,
	.packet = sctp_packet,
	.state_name = sctp_state_name,
	.proc_info = NULL,
};
