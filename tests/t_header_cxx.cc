// SPDX-License-Identifier: Apache-2.0
// t_header_cxx.cc - the public header compiles alone as C++ and links
#include <squibnet.h>

int main()
{
	sqn_params p;

	sqn_params_init(&p);
	p.mode = SQN_MODE_LOOPBACK;
	return sqn_mode_name(p.mode) ? 0 : 1;
}
