namespace Alerts.Runtime.Tests;

/// <summary>An observer that receives messages.</summary>
public interface IChatObserver : IGrainObserver
{
    Task Receive(string message);
}

/// <summary>Fans messages out to subscribed observers, dropping the dead ones.</summary>
public interface IChatGrain : IGrainWithStringKey
{
    Task Subscribe(IChatObserver observer);

    Task<int> Publish(string message);

    Task<int> Subscribers();
}

/// <summary>See <see cref="IChatGrain"/>.</summary>
public sealed class ChatGrain : Grain, IChatGrain
{
    private readonly List<IChatObserver> _observers = [];

    public Task Subscribe(IChatObserver observer)
    {
        _observers.Add(observer);
        return Task.CompletedTask;
    }

    public async Task<int> Publish(string message)
    {
        var delivered = 0;
        foreach (var observer in _observers.ToList())
        {
            try
            {
                await observer.Receive(message);
                delivered++;
            }
            catch (ObserverExpiredException)
            {
                _observers.Remove(observer);
            }
        }

        return delivered;
    }

    public Task<int> Subscribers() => Task.FromResult(_observers.Count);
}
