/* Copied unchanged from the project's shared anchors (anchors/uring_bench.c): the io_uring floor
 * that bench/anchor.ts builds with `gcc -O2 ... -luring` and runs for P2. Reads block
 * (i * 7919) % blocks, distinct for up to `blocks` reads (7919 is prime). */
/* Anchor: io_uring via liburing, 4 KiB random reads from a cached file, QD in flight.
 * usage: uring_bench FILE OPS QD */
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
int main(int argc, char **argv) {
  if (argc < 4) return 2;
  int fd = open(argv[1], O_RDONLY); long ops = atol(argv[2]); int qd = atoi(argv[3]);
  struct stat st; fstat(fd, &st); long blocks = st.st_size / 4096;
  struct io_uring ring; if (io_uring_queue_init(qd, &ring, 0)) { perror("queue_init"); return 1; }
  char *bufs = aligned_alloc(4096, (size_t)qd * 4096);
  long issued = 0, done = 0; double t0 = now();
  for (int i = 0; i < qd && issued < ops; i++, issued++) {
    struct io_uring_sqe *s = io_uring_get_sqe(&ring);
    io_uring_prep_read(s, fd, bufs + i * 4096, 4096, ((issued * 7919) % blocks) * 4096); s->user_data = i;
  }
  io_uring_submit(&ring);
  while (done < ops) {
    struct io_uring_cqe *c; io_uring_wait_cqe(&ring, &c);
    unsigned head; int n = 0;
    io_uring_for_each_cqe(&ring, head, c) {
      if (c->res != 4096) { fprintf(stderr, "bad res %d\n", c->res); return 1; }
      int i = c->user_data; done++; n++;
      if (issued < ops) { struct io_uring_sqe *s = io_uring_get_sqe(&ring);
        io_uring_prep_read(s, fd, bufs + i * 4096, 4096, ((issued * 7919) % blocks) * 4096); s->user_data = i; issued++; }
    }
    io_uring_cq_advance(&ring, n); io_uring_submit(&ring);
  }
  double ns = (now() - t0) / ops;
  printf("io_uring read 4K QD%d: %.0f ns/op %.0f Kops/s\n", qd, ns, 1e6 / ns);
  return 0;
}
