// gophercloud's compute packages against the promoted names of extgate's two API versions, no auth.
// At /v1 (SUPPORTED) RAX-DCF is promoted to OS-DCF, the old name still accepted: the diskconfig
// package works, and so does a create that still sends RAX-DCF:diskConfig. At /v2 (CURRENT)
// OS-LOCK and MLTI-TAGS are core: the lockunlock package, "locked", tags on create, Server.Tags and
// ListOpts.Tags work.
// usage: gophercloud-promotion http://127.0.0.1:PORT ; one line per step, OK at the end, exit 1 at the first failure.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/diskconfig"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/extensions/lockunlock"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/images"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/servers"
)

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", what, err)
		os.Exit(1)
	}
}

func expect(ok bool, format string, args ...interface{}) {
	if !ok {
		fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
		os.Exit(1)
	}
}

// A server with its disk configuration, the way gophercloud composes extension results.
type serverWithDiskConfig struct {
	servers.Server
	diskconfig.ServerDiskConfigExt
}

// "locked" (compute microversion 2.9): servers.Server of this gophercloud has no field for it, so
// it is composed like any other extension result.
type ServerLockExt struct {
	Locked bool `json:"locked"`
}

type serverWithLock struct {
	servers.Server
	ServerLockExt
}

// A create option written before the promotion, still sending the old name RAX-DCF:diskConfig.
type raxDiskConfigExt struct {
	servers.CreateOptsBuilder
	DiskConfig diskconfig.DiskConfig
}

func (opts raxDiskConfigExt) ToServerCreateMap() (map[string]interface{}, error) {
	base, err := opts.CreateOptsBuilder.ToServerCreateMap()
	if err == nil {
		base["server"].(map[string]interface{})["RAX-DCF:diskConfig"] = string(opts.DiskConfig)
	}
	return base, err
}

func hasTag(tags *[]string, tag string) bool {
	if tags != nil {
		for _, t := range *tags {
			if t == tag {
				return true
			}
		}
	}
	return false
}

func main() {
	root := strings.TrimRight(os.Args[1], "/") // http://127.0.0.1:8774
	provider := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 10 * time.Second}}
	v1 := &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: root + "/v1/"}
	v2 := &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: root + "/v2/"}

	fp, err := flavors.ListDetail(v1, nil).AllPages()
	must(err, "flavors")
	fl, _ := flavors.ExtractFlavors(fp)
	ip, err := images.ListDetail(v1, nil).AllPages()
	must(err, "images")
	im, _ := images.ExtractImages(ip)
	base := func(name string) servers.CreateOpts {
		return servers.CreateOpts{Name: name, ImageRef: im[0].ID, FlavorRef: fl[0].ID}
	}

	// /v1: OS-DCF, the promoted name, through the diskconfig package.
	s, err := servers.Create(v1, diskconfig.CreateOptsExt{CreateOptsBuilder: base("gopher-dcf"), DiskConfig: diskconfig.Manual}).Extract()
	must(err, "v1 create with diskconfig.CreateOptsExt")
	var dcf serverWithDiskConfig
	must(servers.Get(v1, s.ID).ExtractInto(&dcf), "v1 get into ServerDiskConfigExt")
	fmt.Printf("v1 diskconfig.CreateOptsExt{Manual}, get: ServerDiskConfigExt.DiskConfig %s\n", dcf.DiskConfig)
	expect(dcf.DiskConfig == diskconfig.Manual, "v1 server %s has DiskConfig %q, not MANUAL", s.ID, dcf.DiskConfig)

	// /v1: RAX-DCF, the old name; the answer says it is deprecated.
	created := servers.Create(v1, raxDiskConfigExt{CreateOptsBuilder: base("gopher-rax-dcf"), DiskConfig: diskconfig.Manual})
	old, err := created.Extract()
	must(err, "v1 create with RAX-DCF:diskConfig")
	deprecation, link := created.Header.Get("Deprecation"), created.Header.Get("Link")
	fmt.Printf("v1 create with RAX-DCF:diskConfig: Deprecation %s, successor-version link: %v\n", deprecation, strings.Contains(link, `rel="successor-version"`))
	expect(strings.HasPrefix(deprecation, "@"), "v1 create with RAX-DCF:diskConfig: Deprecation header %q", deprecation)
	expect(strings.Contains(link, `rel="successor-version"`), "v1 create with RAX-DCF:diskConfig: Link header %q", link)
	dcf = serverWithDiskConfig{}
	must(servers.Get(v1, old.ID).ExtractInto(&dcf), "v1 get the RAX-DCF server into ServerDiskConfigExt")
	fmt.Printf("v1 get of the RAX-DCF server: ServerDiskConfigExt.DiskConfig %s\n", dcf.DiskConfig)
	expect(dcf.DiskConfig == diskconfig.Manual, "v1 server %s has DiskConfig %q, not MANUAL", old.ID, dcf.DiskConfig)

	// /v2: MLTI-TAGS in the core, as "tags".
	opts := base("gopher-tagged")
	opts.Tags = []string{"web"}
	tagged, err := servers.Create(v2, opts).Extract()
	must(err, "v2 create with tags")
	untagged, err := servers.Create(v2, base("gopher-untagged")).Extract()
	must(err, "v2 create without tags")
	got, err := servers.Get(v2, tagged.ID).Extract()
	must(err, "v2 get")
	expect(got.Tags != nil, "v2 server %s: Server.Tags is nil", tagged.ID)
	fmt.Printf("v2 CreateOpts{Tags: [web]}, get: Server.Tags %v\n", *got.Tags)
	expect(len(*got.Tags) == 1 && (*got.Tags)[0] == "web", "v2 server %s: Server.Tags is %v", tagged.ID, *got.Tags)
	lp, err := servers.List(v2, servers.ListOpts{Tags: "web"}).AllPages()
	must(err, "v2 list with ListOpts{Tags: web}")
	listed, err := servers.ExtractServers(lp)
	must(err, "v2 extract servers")
	hasTagged, hasUntagged, allWeb := false, false, true
	for _, l := range listed {
		hasTagged = hasTagged || l.ID == tagged.ID
		hasUntagged = hasUntagged || l.ID == untagged.ID
		allWeb = allWeb && hasTag(l.Tags, "web")
	}
	fmt.Printf("v2 ListOpts{Tags: web}: %d listed, the tagged one: %v, the untagged one: %v, all tagged web: %v\n", len(listed), hasTagged, hasUntagged, allWeb)
	expect(hasTagged && !hasUntagged && allWeb, "v2 ListOpts{Tags: web} listed %v", listed)

	// /v2: OS-LOCK in the core: lockunlock, "locked".
	locked := func() bool {
		var l serverWithLock
		must(servers.Get(v2, tagged.ID).ExtractInto(&l), "v2 get into ServerLockExt")
		return l.Locked
	}
	expect(!locked(), "v2 new server %s is locked", tagged.ID)
	must(lockunlock.Lock(v2, tagged.ID).ExtractErr(), "v2 lockunlock.Lock")
	fmt.Printf("v2 lockunlock.Lock, get: locked %v\n", locked())
	expect(locked(), "v2 server %s is not locked after lockunlock.Lock", tagged.ID)
	err = servers.Delete(v2, tagged.ID).ExtractErr()
	_, conflict := err.(gophercloud.ErrDefault409)
	fmt.Printf("v2 delete of the locked server: 409 %v\n", conflict)
	expect(conflict, "v2 delete of locked server %s: %v", tagged.ID, err)
	must(lockunlock.Unlock(v2, tagged.ID).ExtractErr(), "v2 lockunlock.Unlock")
	fmt.Printf("v2 lockunlock.Unlock, get: locked %v\n", locked())
	expect(!locked(), "v2 server %s is locked after lockunlock.Unlock", tagged.ID)

	for _, id := range []string{s.ID, old.ID, tagged.ID, untagged.ID} {
		must(servers.Delete(v2, id).ExtractErr(), "v2 delete "+id)
	}
	fmt.Println("deleted the four servers")
	fmt.Println("OK")
}
