use super::*;

fn pod(ns: &str, name: &str, status: &str) -> Pod {
    Pod {
        namespace: ns.into(),
        name: name.into(),
        labels: [("app".to_string(), name[..1].to_string())].into(),
        ready: 1,
        containers: 1,
        status: status.into(),
        ..Pod::default()
    }
}

fn names(s: &PodStore, spec: &ViewSpec) -> Vec<String> {
    s.rows(spec)
        .rows
        .iter()
        .map(|p| format!("{}/{}:{}", p.namespace, p.name, p.status))
        .collect()
}

fn up(ns: &str, name: &str, status: &str) -> PodChange {
    PodChange::Upsert(Box::new(pod(ns, name, status)))
}

fn rm(ns: &str, name: &str) -> PodChange {
    PodChange::Remove {
        namespace: ns.into(),
        name: name.into(),
    }
}

#[test]
fn changes_apply_in_order_and_the_view_stays_sorted() {
    let all = ViewSpec::default();
    let mut s = PodStore::from_pods(vec![
        pod("shop", "b", "Running"),
        pod("shop", "a", "Running"),
        pod("pay", "a", "Running"),
    ]);
    assert_eq!(
        names(&s, &all),
        ["pay/a:Running", "shop/a:Running", "shop/b:Running"]
    );
    // The last change to a pod wins: added, changed, removed, added again.
    s.apply(vec![
        up("shop", "c", "Pending"),
        up("shop", "c", "Running"),
        rm("shop", "c"),
        up("shop", "c", "CrashLoopBackOff"),
        up("shop", "b", "Error"),
        rm("pay", "a"),
        rm("pay", "never-there"),
    ]);
    assert_eq!(
        names(&s, &all),
        ["shop/b:Error", "shop/c:CrashLoopBackOff", "shop/a:Running"],
        "unhealthy first, then by name"
    );
    assert_eq!(s.len(), 3);
    let rows = s.rows(&all);
    assert_eq!((rows.healthy, rows.rows.len()), (1, 3));
    // The kept view and one worked out afresh agree.
    let fresh = PodStore::from_pods(s.iter().cloned().collect());
    assert_eq!(names(&fresh, &all), names(&s, &all));
    assert_eq!(s.work().rebuilds, 1, "changes never rebuild the view");
}

#[test]
fn the_view_follows_its_spec_and_only_a_new_spec_rebuilds() {
    let mut s = PodStore::from_pods(vec![
        pod("shop", "api-1", "Running"),
        pod("shop", "web-1", "Running"),
        pod("pay", "api-2", "Running"),
    ]);
    let shop = ViewSpec {
        scope: PodScope {
            namespace: "shop".into(),
            selector: Some("app=a".into()),
            name: None,
        },
        filter: String::new(),
    };
    s.set_view(&shop);
    s.set_view(&shop);
    assert_eq!(s.work().rebuilds, 2, "once at the list, once for the spec");
    assert_eq!(names(&s, &shop), ["shop/api-1:Running"]);
    s.apply(vec![
        up("shop", "api-3", "Pending"),
        up("pay", "api-4", "Pending"),
    ]);
    assert_eq!(
        names(&s, &shop),
        ["shop/api-3:Pending", "shop/api-1:Running"]
    );
    assert_eq!(s.position("shop", "api-1"), Some(1));
    assert_eq!(s.position("pay", "api-4"), None, "kept, not shown");
    // A spec other than the kept one is worked out afresh, not kept.
    let filtered = ViewSpec {
        filter: "PEND".into(),
        ..ViewSpec::default()
    };
    assert_eq!(
        names(&s, &filtered),
        ["shop/api-3:Pending", "pay/api-4:Pending"]
    );
    let bad = ViewSpec {
        scope: PodScope {
            selector: Some("app in (".into()),
            ..PodScope::default()
        },
        filter: String::new(),
    };
    assert!(
        names(&s, &bad).is_empty(),
        "an unreadable selector shows none"
    );
}

#[test]
fn a_change_costs_the_same_whatever_the_number_of_pods() {
    for n in [2_000, 20_000] {
        let mut s = PodStore::from_pods(
            (0..n)
                .map(|i| pod("shop", &format!("p-{i:05}"), "Running"))
                .collect(),
        );
        let before = s.work();
        for round in 0..10 {
            s.apply(
                (0..100)
                    .map(|i| up("shop", &format!("p-{:05}", i * 7 + round), "Error"))
                    .collect(),
            );
        }
        let after = s.work();
        assert_eq!(after.rebuilds, before.rebuilds, "{n}: no rebuild");
        assert_eq!(after.rebuilt_pods, before.rebuilt_pods, "{n}");
        assert_eq!(after.changes - before.changes, 1_000, "{n}");
        assert_eq!(s.rows(&ViewSpec::default()).rows.len(), n);
    }
}

#[test]
fn rows_in_blocks_agree_with_a_sorted_list() {
    // Many blocks' worth, inserted and removed out of order.
    let mut rows = SortedRows::default();
    let mut plain: Vec<String> = Vec::new();
    let by_name = |want: &str| {
        let want = want.to_string();
        move |p: &Pod| p.name.as_str().cmp(&want)
    };
    for i in 0..3_000u32 {
        let name = format!("p-{:05}", (i * 7_919) % 3_001);
        let p = Arc::new(pod("shop", &name, "Running"));
        assert!(rows.insert(&p, by_name(&name)));
        assert!(!rows.insert(&p, by_name(&name)), "no duplicate");
        plain.push(name);
    }
    plain.sort();
    for i in (0..3_000).step_by(3) {
        let name = plain[i].clone();
        assert!(rows.remove(by_name(&name)));
    }
    let kept: Vec<String> = (0..3_000)
        .filter(|i| i % 3 != 0)
        .map(|i| plain[i].clone())
        .collect();
    assert_eq!(rows.len(), kept.len());
    let all: Vec<String> = rows.iter_from(0).map(|p| p.name.clone()).collect();
    assert_eq!(all, kept);
    let tail: Vec<String> = rows
        .iter_from(1_500)
        .take(3)
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(tail, kept[1_500..1_503]);
    assert_eq!(
        rows.get(1_234).map(|p| p.name.clone()),
        Some(kept[1_234].clone())
    );
    assert_eq!(rows.position(by_name(&kept[777])), Ok(777));
}
