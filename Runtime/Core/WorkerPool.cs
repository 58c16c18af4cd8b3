namespace Alerts.Runtime;

/// <summary>The activations of one stateless-worker key: work goes to an idle one, a new one while under the limit, or the least loaded.</summary>
internal sealed class WorkerPool(GrainRuntime runtime, GrainId id)
{
    private readonly List<GrainActivation> _activations = [];

    public int Count
    {
        get { lock (_activations) return _activations.Count; }
    }

    public GrainActivation[] Snapshot()
    {
        lock (_activations) return _activations.ToArray();
    }

    public void Enqueue(WorkItem item, GrainClassInfo grainClass)
    {
        while (true)
        {
            GrainActivation target;
            var created = false;
            lock (_activations)
            {
                var idle = _activations.FirstOrDefault(a => a.Load == 0);
                if (idle is not null) target = idle;
                else if (_activations.Count < grainClass.MaxWorkers)
                {
                    target = new GrainActivation(runtime, id, grainClass, null);
                    _activations.Add(target);
                    created = true;
                }
                else target = _activations.MinBy(a => a.Load)!;
            }

            if (created) target.Start();
            if (target.TryEnqueue(item)) return;
            Remove(target);
        }
    }

    public void Remove(GrainActivation activation)
    {
        lock (_activations) _activations.Remove(activation);
    }
}
