// A small persistent thread pool for batch steps. A job is `tasks` independent tasks (row blocks), claimed one at
// a time from an atomic counter by the calling thread and by the workers that join: if a worker is slow to wake
// (a busy machine, a sleeping worker) the caller simply takes its tasks, and waits only for tasks a worker has
// already claimed. Workers spin briefly after a job (consecutive layers of one batch call reuse them without a
// futex wake-up), then sleep on a condition variable. One dispatcher at a time; a concurrent dispatcher (another
// Node worker thread using the addon) runs its tasks inline. No allocation per job.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "engine.h"

#if KR_X86
#include <immintrin.h>
#define KR_PAUSE() _mm_pause()
#else
#define KR_PAUSE() std::this_thread::yield()
#endif

namespace kr {
namespace {

/** How long an idle worker spins before it sleeps (a batch call's layers come back within this). */
constexpr auto kSpin = std::chrono::microseconds(200);

struct Pool {
  std::mutex dispatch;                // held by the one thread dispatching
  std::mutex m;                       // guards sleeping workers
  std::condition_variable cv;
  std::atomic<uint64_t> gen{0};       // generation of the newest job
  std::atomic<uint64_t> closedGen{0}; // generation whose tasks are all claimed (late workers stay out)
  std::atomic<int> active{0};         // workers inside the current job
  std::atomic<int> next{0};           // next task to claim
  // The job, written only while no worker is active (published by the release store to gen).
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int tasks = 0;
  int joiners = 0;                    // workers 1..joiners may join
  std::vector<std::thread> workers;
  std::atomic<int> wanted{1};

  Pool() {
    unsigned hc = std::thread::hardware_concurrency();
    wanted = hc == 0 ? 1 : (hc > 8 ? 8 : static_cast<int>(hc));
  }

  void claimTasks() {
    for (;;) {
      int t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= tasks) return;
      fn(ctx, t);
    }
  }

  /** `seen`: the generation when the worker was created (it must not miss the job that started it). */
  void worker(int index, uint64_t seen) {
    for (;;) {
      auto t0 = std::chrono::steady_clock::now();
      int spins = 0;
      while (gen.load(std::memory_order_acquire) == seen) {
        KR_PAUSE();
        if (++spins == 256) {
          spins = 0;
          if (std::chrono::steady_clock::now() - t0 > kSpin) {
            std::unique_lock<std::mutex> lk(m);
            cv.wait(lk, [&] { return gen.load(std::memory_order_acquire) != seen; });
            break;
          }
        }
      }
      // Join the newest job unless its tasks are all claimed (Dekker pair with close(): both seq_cst).
      active.fetch_add(1, std::memory_order_seq_cst);
      uint64_t cur = gen.load(std::memory_order_seq_cst);
      if (closedGen.load(std::memory_order_seq_cst) != cur && index <= joiners) claimTasks();
      active.fetch_sub(1, std::memory_order_release);
      seen = cur;
    }
  }

  /** Starts workers up to wanted - 1 (never stops them: an idle worker sleeps). Caller holds `dispatch`. */
  void ensureWorkers() {
    int need = wanted.load() - 1;
    while (static_cast<int>(workers.size()) < need) {
      int index = static_cast<int>(workers.size()) + 1;
      uint64_t now = gen.load(std::memory_order_acquire);
      workers.emplace_back([this, index, now] { worker(index, now); });
      workers.back().detach();
    }
  }

  void run(int n, int threads, TaskFn f, void* c) {
    if (n <= 1 || threads <= 1 || !dispatch.try_lock()) {
      for (int i = 0; i < n; i++) f(c, i);
      return;
    }
    ensureWorkers();
    fn = f;
    ctx = c;
    tasks = n;
    joiners = threads - 1;
    next.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m);
      gen.fetch_add(1, std::memory_order_release);
    }
    cv.notify_all();
    claimTasks();
    // Every task is claimed: close the job, then wait for workers still running theirs.
    closedGen.store(gen.load(std::memory_order_relaxed), std::memory_order_seq_cst);
    int spins = 0;
    while (active.load(std::memory_order_seq_cst) != 0) {
      KR_PAUSE();
      if (++spins > 4096) std::this_thread::yield();
    }
    dispatch.unlock();
  }
};

// Never destroyed: detached workers may still be sleeping on it at process exit.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int poolThreads() { return pool().wanted.load(); }

int setPoolThreads(int n) {
  if (n < 1) n = 1;
  if (n > 64) n = 64;
  pool().wanted.store(n);
  return n;
}

void parallelFor(int tasks, int threads, TaskFn fn, void* ctx) { pool().run(tasks, threads, fn, ctx); }

// The rule: only batch steps (batch >= 2) split, and only above ~2 MFLOP (~20 us on one core here), so a split
// never costs more than the work it shares (a futex wake-up of a sleeping worker is tens of microseconds); at
// most one thread per MFLOP and per tile of rows. bench/native-models.ts, deep-mnist batch 64 on 2 threads: 1.9x
// the 1-thread images/s when the second core was free.
int threadsFor(int batch, double flops, int rows, int minRowsPerThread) {
  if (batch < 2) return 1;
  int t = poolThreads();
  if (t <= 1 || flops < 2e6) return 1;
  int byRows = rows / (minRowsPerThread > 0 ? minRowsPerThread : 1);
  if (byRows < t) t = byRows;
  int byWork = static_cast<int>(flops / 1e6);
  if (byWork < t) t = byWork;
  return t < 1 ? 1 : t;
}

}  // namespace kr
