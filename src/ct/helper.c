/* \summary: the helpers ctreplay knows, and which entry gets which (nf_conntrack_helper) */
#include <string.h>

#include "helper.h"

/* Every helper, by name (the kernel registers each module's helpers with
 * nf_conntrack_helpers_register()). */
static const struct ct_helper_ops *const helpers[] = {
	&ct_helper_ftp,
	&ct_helper_tftp,
};

const struct ct_helper_ops *ct_helper_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (strcmp(name, helpers[i]->name) == 0)
			return helpers[i];
	return NULL;
}

int ct_helper_rule_for(const struct ct_settings *set,
		       const struct ct_tuple *orig)
{
	int i;

	for (i = 0; i < set->nhelpers && i < CT_MAX_HELPERS; i++) {
		const struct ct_helper_rule *r = &set->helpers[i];

		if (r->l4num == orig->l4num && r->port == orig->dport)
			return i;
	}
	return -1;
}
