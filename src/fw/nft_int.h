/* \summary: the nft JSON reader's shared parts: parser state, value types, keys (nft_types.c) */
#ifndef CTREPLAY_FW_NFT_INT_H
#define CTREPLAY_FW_NFT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "fw.h"

/* The parsed document and, per counter expression, its JSON object:
 * --counters writes the replay's counts into them. */
struct nft_doc {
	json_t *root;
	json_t **counters;
	size_t ncounters;
	size_t cap;
};

/* Parser state. */
struct nj {
	struct fw_ruleset *rs;
	const char *file;
	char *errbuf;
	struct nft_doc *doc;
	/* where the rule being read is, for messages */
	const char *chain;
	uint64_t handle;
	int table;
	enum fw_family family;
};

/* Value types: how a constant compared with a key is parsed. */
enum vt {
	VT_INT = 0,            /* a number of the key's length */
	VT_ADDR4,
	VT_ADDR6,
	VT_ADDR,               /* either (ct saddr of an inet table) */
	VT_IFNAME,
	VT_L4PROTO,
	VT_NFPROTO,
	VT_ICMP_TYPE,
	VT_ICMPV6_TYPE,
	VT_ICMP_CODE,
	VT_TCP_FLAGS,
	VT_CT_STATE,
	VT_CT_STATUS,
	VT_CT_DIR,
	VT_PKTTYPE,
	VT_ETHERTYPE,
	VT_STRING,             /* ct helper name */
	VT_IFTYPE,
	VT_FIB_TYPE,           /* fib ... type: local, unicast ... */
};

struct sym {
	const char *name;
	uint32_t value;
};

#define SYMS(a) a, CT_ARRAY_SIZE(a)

/* The key types a concatenation's parts have, for parsing elements. */
struct keyinfo {
	int key;               /* index in rs->keys */
	enum vt vt[8];         /* per part (one unless concat) */
	uint8_t partlen[8];
	unsigned nparts;
	unsigned len;          /* bytes, parts padded to 4 */
};

/* nft_types.c */
bool nj_sym_find(const struct sym *s, size_t n, const char *name,
		 uint32_t *out);
int nj_fail(struct nj *p, const char *fmt, const char *what);
int nj_nomem(struct nj *p);
bool nj_scalar(const json_t *j, enum vt vt, unsigned len, struct fw_val *v);
bool nj_flags_value(const json_t *j, enum vt vt, unsigned len,
		    struct fw_val *v);
int nj_parse_key(struct nj *p, const json_t *j, struct keyinfo *ki);
/* A fib oif/oifname key compared with true/false (exists, missing). */
void nj_fib_present(struct nj *p, struct keyinfo *ki);
bool nj_key_value(const struct keyinfo *ki, const json_t *j,
		  struct fw_val *v);
bool nj_elem_value(const struct keyinfo *ki, const json_t *j,
		   struct fw_elem *e);
bool nj_set_type(const json_t *type, struct keyinfo *ki);
bool nj_has_flag(const json_t *flags, const char *name);
bool nj_icmp_code(const char *name, uint32_t *code);

#endif
