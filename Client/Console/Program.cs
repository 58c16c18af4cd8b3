return await Alerts.Cli.AlertsConsole.RunAsync(args);
