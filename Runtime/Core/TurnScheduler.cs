namespace Alerts.Runtime;

/// <summary>
/// Runs the tasks of one activation one at a time on the thread pool, in queue order, never inline.
/// Everything a grain awaits resumes here (it is TaskScheduler.Current inside grain code), which is
/// what makes turns single-threaded. Much lighter than ConcurrentExclusiveSchedulerPair: an idle
/// activation keeps only this object and an empty queue.
/// </summary>
public sealed class TurnScheduler : TaskScheduler, IThreadPoolWorkItem
{
    // Turns per thread-pool visit before yielding the thread to other work.
    private const int TurnsPerVisit = 64;
    private readonly Queue<Task> _tasks = new();
    private bool _scheduled;

    protected override void QueueTask(Task task)
    {
        lock (_tasks)
        {
            _tasks.Enqueue(task);
            if (_scheduled) return;
            _scheduled = true;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        for (var i = 0; i < TurnsPerVisit; i++)
        {
            Task task;
            lock (_tasks)
            {
                if (!_tasks.TryDequeue(out task!))
                {
                    _scheduled = false;
                    return;
                }
            }

            TryExecuteTask(task);
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    // Inline execution could run a task beside the one in progress; refusing keeps one turn at a time.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_tasks) return _tasks.ToArray();
    }
}
