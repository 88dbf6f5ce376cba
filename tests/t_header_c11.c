/* SPDX-License-Identifier: Apache-2.0 */
/* t_header_c11.c - the public header compiles alone in strict C11 */
#include <squibnet.h>

int main(void)
{
	struct sqn_params p;

	sqn_params_init(&p);
	return p.size == sizeof(p) ? 0 : 1;
}
