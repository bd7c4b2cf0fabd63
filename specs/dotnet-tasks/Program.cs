// A to-do list API: ASP.NET Core minimal API, no third-party packages, tasks kept in memory.
using System.Collections.Concurrent;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

var tasks = new ConcurrentDictionary<int, TaskItem>();
var nextId = 0;

app.MapGet("/health", () => Results.Text("ok\n"));
app.MapGet("/tasks", () => tasks.Values.OrderBy(t => t.Id));
app.MapGet("/tasks/{id:int}", (int id) => tasks.TryGetValue(id, out var task) ? Results.Ok(task) : Results.NotFound());
app.MapPost("/tasks", (NewTask input) =>
{
    if (string.IsNullOrWhiteSpace(input.Title))
    {
        return Results.BadRequest(new { error = "title is required" });
    }
    var task = new TaskItem(Interlocked.Increment(ref nextId), input.Title.Trim(), false);
    tasks[task.Id] = task;
    return Results.Created($"/tasks/{task.Id}", task);
});
app.MapPost("/tasks/{id:int}/done", (int id) =>
    tasks.TryGetValue(id, out var task) ? Results.Ok(tasks[id] = task with { Done = true }) : Results.NotFound());

// Kestrel listens on ASPNETCORE_HTTP_PORTS (the image sets it from the spec's ports);
// the host stops on SIGTERM and finishes the requests in flight.
app.Run();

record NewTask(string? Title);
record TaskItem(int Id, string Title, bool Done);
