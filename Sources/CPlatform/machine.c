#include "internal.h"

#include <string.h>
#include <sys/utsname.h>

int plat_kernel_release(char *buf, size_t buflen) {
    struct utsname u;
    if (uname(&u) != 0) return -1;
    plat_msg(buf, buflen, "%s", u.release);
    return 0;
}
