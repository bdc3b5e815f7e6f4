/// A small repository with an embed policy (env dev, a database, a dataset with the tenant column
/// `customer_id`, a chart, a dashboard; max_ttl 600, a user required), as (path, text) pairs; its
/// Superset at `supersetURL`.
public func embedRepositoryFiles(supersetURL: String = "http://127.0.0.1:1") -> [(String, String)] {
    [
        ("hybrid.yaml", "mode: superset\ndefault_env: dev\nsuperset:\n  url: \(supersetURL)\n"),
        ("env/dev.yaml", "ENV: dev\nSITE: app.example.com\n"),
        ("assets/databases/db.yaml.j2", "database_name: analytics_{{ ENV }}\nsqlalchemy_uri: sqlite:///x.db\n"),
        (
            "assets/datasets/t.yaml.j2",
            "table_name: t\ndatabase: analytics_{{ ENV }}\ncolumns: [{column_name: customer_id}, {column_name: v}]\n"
        ),
        ("assets/charts/c.yaml.j2", "slice_name: C\nviz_type: table\ndatasource: t\nparams: {groupby: [v]}\n"),
        (
            "assets/dashboards/d.yaml.j2",
            "dashboard_title: D\nslug: d-{{ ENV }}\nposition:\n  CHART-1: {type: CHART, id: CHART-1, meta: {chart: charts/c}}\n"
        ),
        (
            "assets/embeds/policy.yaml.j2",
            "allowed_domains: ['{{ SITE }}']\ntenant_enforcement: {tenant_column: customer_id}\n"
                + "token_policy: {max_ttl: 600, require_user_id: true}\n"
        ),
    ]
}
