// SPDX-License-Identifier: MIT
// PID 1 of the Bochs guest that tools/dev/run-in-bochs boots: says which of the CPU's vector
// features the kernel enabled, runs /test with the arguments the kernel passed on, prints its
// exit status between markers the host script looks for, and powers the machine off.
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

// CPUID leaf 7 says what the CPU has; XCR0 says whether the kernel turned the registers on
// (a kernel that distrusts the XSAVE layout leaves AVX off even where CPUID has it).
static void report_features(void) {
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    const int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, vpclmulqdq = (c >> 10) & 1;
    unsigned xcr0 = 0, high;
    __cpuid(1, a, b, c, d);
    if ((c >> 27) & 1) __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(high) : "c"(0));  // OSXSAVE
    printf("@@GUEST cpuid: avx2=%d avx512f=%d vpclmulqdq=%d; xcr0=0x%x: ymm %s, zmm %s\n", avx2, avx512f,
           vpclmulqdq, xcr0, (xcr0 & 0x6) == 0x6 ? "on" : "off", (xcr0 & 0xe6) == 0xe6 ? "on" : "off");
}

int main(int argc, char** argv) {
    (void)argc;
    mount("proc", "/proc", "proc", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    const int console = open("/dev/console", O_RDWR);
    if (console >= 0) {
        dup2(console, 0);
        dup2(console, 1);
        dup2(console, 2);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    report_features();
    printf("@@TEST-START@@\n");
    const pid_t pid = fork();
    if (pid == 0) {
        argv[0] = "/test";
        execv("/test", argv);
        perror("execv /test");
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
    printf("\n@@TEST-EXIT %d@@\n", code);
    fflush(stdout);
    tcdrain(1);  // the serial port sends after write() returns: without this the last lines are lost
    usleep(200000);
    reboot(RB_POWER_OFF);
    for (;;) pause();
}
