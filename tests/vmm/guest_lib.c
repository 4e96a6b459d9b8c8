// SPDX-License-Identifier: GPL-2.0
/*
 * guest_lib.c - guest side of the test VMM: ucalls, printf-lite and the
 * few libc functions GCC may emit calls to even in freestanding code.
 *
 * Built for 32-bit freestanding like the guests.  No 64-bit division
 * anywhere: it would need libgcc's __udivdi3, and the 32-bit libgcc is
 * only in the multilib packages.
 */
#include "guest.h"

/*
 * The request is complete in the mailbox before the OUT (the asm has a
 * memory clobber), and the OUT is a VM exit, so the host sees it whole.
 */
static void ucall(struct vmm_mailbox *mb, uint32_t cmd)
{
	mb->cmd = cmd;
	outl(VMM_UCALL_PORT, mb->self);
}

void guest_done(uint64_t result)
{
	struct vmm_mailbox *mb = guest_mailbox();

	mb->args[0] = result;
	/* The host does not resume a finished vCPU; if it does, say so again. */
	for (;;)
		ucall(mb, UCALL_DONE);
}

void guest_sync(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct vmm_mailbox *mb = guest_mailbox();

	mb->args[0] = a0;
	mb->args[1] = a1;
	mb->args[2] = a2;
	mb->args[3] = a3;
	ucall(mb, UCALL_SYNC);
}

void guest_puts(const char *s)
{
	struct vmm_mailbox *mb = guest_mailbox();
	size_t len = strlen(s);

	/* Long strings go out in mailbox-sized pieces, one ucall each. */
	do {
		size_t n = len < VMM_UCALL_MSG_LEN - 1 ? len : VMM_UCALL_MSG_LEN - 1;

		memcpy(mb->msg, s, n);
		mb->msg[n] = '\0';
		ucall(mb, UCALL_PRINT);
		s += n;
		len -= n;
	} while (len);
}

void guest_printf(const char *fmt, ...)
{
	struct vmm_mailbox *mb = guest_mailbox();
	va_list ap;

	/* Formatted straight into this vCPU's mailbox: no shared buffer. */
	va_start(ap, fmt);
	guest_vsnprintf(mb->msg, sizeof(mb->msg), fmt, ap);
	va_end(ap);
	ucall(mb, UCALL_PRINT);
}

void guest_fail(const char *file, int line, const char *fmt, ...)
{
	struct vmm_mailbox *mb = guest_mailbox();
	va_list ap;

	va_start(ap, fmt);
	guest_vsnprintf(mb->msg, sizeof(mb->msg), fmt, ap);
	va_end(ap);
	mb->file = (uint32_t)file;
	mb->line = (uint32_t)line;
	for (;;)
		ucall(mb, UCALL_FAIL);
}

/* Called by guest_start.S when guest_main returns. */
void guest_main_returned(void) __attribute__((noreturn));
void guest_main_returned(void)
{
	guest_done(0);
}

enum guest_vendor guest_vendor(void)
{
	/* Same answer on every vCPU, so the unlocked cache is harmless. */
	static volatile int cached = -1;
	struct guest_cpuid r;

	if (cached >= 0)
		return (enum guest_vendor)cached;
	cpuid(0, 0, &r);
	if (r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e)
		cached = GUEST_VENDOR_INTEL;		/* "GenuineIntel" */
	else if ((r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163) ||
		 (r.ebx == 0x6f677948 && r.edx == 0x6e65476e && r.ecx == 0x656e6975))
		cached = GUEST_VENDOR_AMD;		/* "AuthenticAMD", "HygonGenuine" */
	else
		cached = GUEST_VENDOR_OTHER;
	return (enum guest_vendor)cached;
}

long guest_hypercall(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
	if (guest_vendor() == GUEST_VENDOR_AMD)
		return vmmcall(nr, a0, a1, a2, a3);
	return vmcall(nr, a0, a1, a2, a3);
}

/* printf-lite */

struct out {
	char *buf;
	size_t size;
	size_t pos;	/* may run past size: the would-be length */
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

/* *n /= base, return the remainder; divl on 32-bit halves, no libgcc. */
static uint32_t div_u64(uint64_t *n, uint32_t base)
{
	uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
	uint32_t qhi = hi / base, rem = hi % base;

	/* rem < base, so the quotient fits in 32 bits and divl cannot fault */
	asm("divl %4" : "=a"(lo), "=d"(rem) : "0"(lo), "1"(rem), "rm"(base));
	*n = ((uint64_t)qhi << 32) | lo;
	return rem;
}

struct spec {
	bool left;
	char pad;
	unsigned int width;
};

static void put_field(struct out *o, const struct spec *sp, const char *s, size_t len)
{
	size_t fill = sp->width > len ? sp->width - len : 0;

	if (!sp->left)
		while (fill--)
			put(o, sp->pad);
	while (len--)
		put(o, *s++);
	if (sp->left)
		while (fill--)
			put(o, ' ');
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v,
		    uint32_t base, bool neg, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp);

	do
		tmp[--i] = digits[div_u64(&v, base)];
	while (v);
	if (neg) {
		/* the sign goes before zero padding, as in libc */
		if (sp->pad == '0' && sp->width) {
			struct spec s2 = *sp;

			put(o, '-');
			s2.width--;
			put_field(o, &s2, tmp + i, sizeof(tmp) - i);
			return;
		}
		tmp[--i] = '-';
	}
	put_field(o, sp, tmp + i, sizeof(tmp) - i);
}

static const char *parse_spec(const char *f, struct spec *sp, int *lng)
{
	sp->left = false;
	sp->pad = ' ';
	sp->width = 0;
	*lng = 0;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->pad = '0';
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*f++ - '0');
	while (*f == 'l' || *f == 'z' || *f == 'h') {
		if (*f == 'l')
			(*lng)++;
		f++;
	}
	return f;
}

static void put_conv(struct out *o, char c, const struct spec *sp, int lng, va_list *ap)
{
	uint64_t u;
	int64_t s;
	const char *str;

	switch (c) {
	case 'd':
	case 'i':
		s = lng >= 2 ? va_arg(*ap, long long) : va_arg(*ap, long);
		put_num(o, sp, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, s < 0, false);
		break;
	case 'u':
	case 'x':
	case 'X':
		u = lng >= 2 ? va_arg(*ap, unsigned long long) : va_arg(*ap, unsigned long);
		put_num(o, sp, u, c == 'u' ? 10 : 16, false, c == 'X');
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_num(o, sp, (uint32_t)va_arg(*ap, void *), 16, false, false);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		put_field(o, sp, str, strlen(str));
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(o, sp, &c, 1);
		break;
	default:	/* "%%" and anything unknown: print it as is */
		put(o, c);
		break;
	}
}

int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	struct spec sp;
	va_list aq;
	int lng;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &lng);
		if (!*fmt)
			break;
		put_conv(&o, *fmt++, &sp, lng, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)o.pos;
}

int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = guest_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* The libc subset GCC may call for struct copies and loops. */

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;

	for (; n; n--, pa++, pb++)
		if (*pa != *pb)
			return *pa - *pb;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
