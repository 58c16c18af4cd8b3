return await Alerts.Console.AlertsConsole.RunAsync(args);
